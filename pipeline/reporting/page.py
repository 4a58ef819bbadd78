"""The scorecard page: one self-contained HTML file, readable offline.

Everything is inline: the CSS in a <style>, each business's charts as an <svg> element. No
script, font, image or stylesheet is fetched from anywhere, so the file opens from a laptop on
a plane exactly as it does in the office. Every value from the warehouse is HTML-escaped.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape

from pipeline.reporting.cards import Card, Row

CSS = """
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; margin: 0; color: #1b1f24;
       background: #f6f7f9; }
header { background: #1b2a41; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: #c9d3e0; font-size: 13px; }
nav { padding: 8px 32px; background: #e8ecf2; font-size: 14px; }
nav a { margin-right: 18px; color: #1b2a41; }
section.business { background: #fff; margin: 20px 32px; padding: 16px 24px;
                   border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
section.business h2 { margin: 0 0 4px; }
p.week { margin: 0 0 12px; color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 12px; margin-bottom: 16px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e3e6ea; text-align: right;
         white-space: nowrap; }
th { background: #f0f2f5; }
td.label, th.label, td.place, th.place { text-align: left; }
td.week { font-weight: bold; }
.better { color: #0a7d32; } .worse { color: #b3261e; }
div.charts svg { width: 100%; height: auto; max-width: 1200px; display: block; }
p.empty { color: #777; font-style: italic; }
footer { margin: 20px 32px 32px; color: #666; font-size: 12px; }
"""


def render_page(cards: list[Card], svgs: dict[str, str], *, through: date | None) -> str:
    """The whole page; `svgs` maps business_id to its charts (card_svg), `through` is the latest
    business date with data (the page carries no wall-clock stamp, so it is reproducible)."""
    subtitle = f"Data through {through.isoformat()}" if through else "No data yet"
    nav = "".join(f'<a href="#{escape(c.business_id)}">{escape(c.name)}</a>' for c in cards)
    sections = "\n".join(_section(card, svgs.get(card.business_id, "")) for card in cards)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Backbone scorecard</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>Backbone scorecard</h1><p>{escape(subtitle)}</p></header>\n"
        f"<nav>{nav}</nav>\n{sections}\n"
        "<footer>Built by Backbone after each run from marts.scorecard_daily and "
        "marts.scorecard_weekly; definitions in docs/metrics.md. No customer data.</footer>\n"
        "</body>\n</html>\n"
    )


def _days_in(card: Card) -> int:
    """How many of the card's week's days its own data reaches (7 for a finished week)."""
    if card.week_start is None or card.through is None:
        return 0
    return max(0, min(7, (card.through - card.week_start).days + 1))


def _section(card: Card, svg: str) -> str:
    head = f'<section class="business" id="{escape(card.business_id)}" data-business="' + (
        f'{escape(card.business_id)}">\n<h2>{escape(card.name)}</h2>\n'
    )
    if not card.rows:
        return head + '<p class="empty">No metrics for this business yet.</p>\n</section>'
    charts = f'<div class="charts">{svg}</div>\n' if svg else ""
    return (
        head
        + f'<p class="week">{escape(_week_caption(card))}</p>\n'
        + f"{_table(card, _days_in(card))}\n"
        + (charts + "</section>")
    )


def _week_caption(card: Card) -> str:
    first, last = card.dates[0], card.dates[-1]
    span = f"{first:%a %d %b} – {last:%a %d %b %Y}"
    if card.week_start is not None:
        caption = f"Week of {span}: daily values and the week's own (recomputed, not summed)."
        days = _days_in(card)
        if days < 7:
            # Three days of orders against a whole week would always look worse.
            caption += (
                f" The week is {days} of 7 days in: its value is the week so far, not coloured "
                "against the whole week before."
            )
        return caption
    return f"Last seven days, {span}: daily values (no weekly view in this warehouse)."


def _table(card: Card, days_in: int) -> str:
    weekly = card.week_start is not None
    head = '<th class="label">Metric</th><th class="place">Where</th>' + "".join(
        f"<th>{d:%a %d}</th>" for d in card.dates
    )
    if weekly:
        week = "Week" if days_in == 7 else f"Week so far ({days_in} of 7 days)"
        head += f"<th>{week}</th><th>Previous week</th>"
    body = "".join(_row(row, weekly, judged=days_in == 7) for row in card.rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


def _row(row: Row, weekly: bool, judged: bool) -> str:
    unit = f" ({row.metric.unit})" if row.metric.unit else ""
    title = f' title="{escape(row.metric.definition)}"' if row.metric.definition else ""
    cells = f'<td class="label"{title}>{escape(row.metric.label + unit)}</td>'
    cells += f'<td class="place">{escape(row.place)}</td>'
    cells += "".join(f"<td>{_number(v)}</td>" for v in row.daily)
    if weekly:
        tone = _tone(row) if judged else ""
        mark = f' class="week {tone}"' if tone else ' class="week"'
        cells += f"<td{mark}>{_number(row.week)}</td><td>{_number(row.previous_week)}</td>"
    return f"<tr>{cells}</tr>\n"


def _tone(row: Row) -> str:
    """'better' or 'worse' against the previous week, by the catalog's good direction."""
    if row.week is None or row.previous_week is None or row.week == row.previous_week:
        return ""
    if row.metric.direction not in ("up", "down"):
        return ""
    rose = row.week > row.previous_week
    return "better" if rose == (row.metric.direction == "up") else "worse"


def _number(value: Decimal | None) -> str:
    if value is None:
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,}"
