"""A business's trend charts: one small chart per metric, one line per place, drawn by
matplotlib's Agg (no display, no network) as SVG for the page and PNG for Dagster.

Deterministic: a fixed font (DejaVu Sans, shipped with matplotlib), a fixed SVG id salt, and no
creation date or software stamp in the files, so the same card gives the same bytes. Values
become floats here only as pixel positions; the tables show the exact Decimals.
"""

from __future__ import annotations

import io
import math

from matplotlib import rc_context
from matplotlib.dates import DateFormatter, DayLocator, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from pipeline.reporting.cards import Card, Trend

COLUMNS = 3
ROW_INCHES = 2.6
# Colour-blind safe (Okabe-Ito), in the order places are listed on a card.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "none",  # text stays text: smaller, selectable, searchable
    "svg.hashsalt": "backbone-scorecard",
    "axes.spines.top": False,
    "axes.spines.right": False,
    # A fixed title height: left unset, matplotlib measures every tick label of every chart on
    # each save to lift titles clear of them (a third of the drawing time); ours sit above
    # axes that have no top ticks.
    "axes.titley": 1.0,
}


def card_figure(card: Card) -> Figure | None:
    """The card's charts on one figure, or None when it has nothing to draw."""
    if not card.trends:
        return None
    rows = math.ceil(len(card.trends) / COLUMNS)
    height = ROW_INCHES * rows
    # Fixed margins, in inches turned into fractions: a layout engine would measure every
    # label of every chart on each save, most of the time spent drawing a card.
    figure = Figure(figsize=(4.0 * COLUMNS, height))
    figure.subplots_adjust(
        left=0.06, right=0.98, wspace=0.28, top=1 - 0.35 / height, bottom=0.45 / height
    )
    figure.subplots_adjust(hspace=0.75 / (ROW_INCHES - 0.8))
    axes = figure.subplots(rows, COLUMNS, squeeze=False).flatten()
    colours = _colours(card)
    # One date axis for the whole card, half a day of room each side, at most ~5 ticks: an
    # automatic locator invents ticks (or repeats a date) around one or two points.
    days = [d for t in card.trends for s in t.series for d, _ in s.points]
    first, last = min(days), max(days)
    every = max(1, math.ceil(((last - first).days + 1) / 4))
    span = (date2num(first) - 0.5, date2num(last) + 0.5)
    for ax, trend in zip(axes, card.trends, strict=False):
        _draw(ax, trend, colours)
        ax.set_xlim(*span)
        ax.xaxis.set_major_locator(DayLocator(interval=every))
    for ax in axes[len(card.trends) :]:
        ax.set_visible(False)
    return figure


def card_charts(card: Card, dpi: int = 72) -> tuple[str, bytes]:
    """The card's charts drawn once, saved twice: an inline <svg> element (no XML prolog) for
    the page and PNG bytes for Dagster; ('', b'') when there is nothing to draw."""
    with rc_context(STYLE):  # the style applies while artists are made and while saved
        figure = card_figure(card)
        if figure is None:
            return "", b""
        svg, png = io.StringIO(), io.BytesIO()
        figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        figure.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
    text = svg.getvalue()
    return text[text.index("<svg") :], png.getvalue()


def _colours(card: Card) -> dict[str, str]:
    places: list[str] = []
    for trend in card.trends:
        places += [s.place for s in trend.series if s.place not in places]
    return {place: PALETTE[n % len(PALETTE)] for n, place in enumerate(places)}


def _draw(ax, trend: Trend, colours: dict[str, str]) -> None:
    title = trend.metric.label + (f" ({trend.metric.unit})" if trend.metric.unit else "")
    ax.set_title(title if trend.grain == "daily" else f"{title}, weekly", loc="left")
    for series in trend.series:
        xs = [d for d, _ in series.points]
        ys = [float(v) for _, v in series.points]
        ax.plot(
            xs,
            ys,
            marker="o",
            markersize=3,
            linewidth=1.4,
            color=colours[series.place],
            label=series.place,
        )
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.grid(axis="y", linewidth=0.4, alpha=0.5)
    if len(trend.series) > 1:
        ax.legend(fontsize=7, frameon=False, loc="best")
