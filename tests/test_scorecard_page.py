"""The scorecard page: a hand-made week of metrics shaped into cards, drawn and laid out.

A boutique with two shops (Seattle, Portland) and a café; orders per location, sync error rate
for the whole business, a weekly view for the boutique's week of Mon 16 Nov 2026 and the one
before, and a catalog saying which way is good. Every number asserted below is in the frames.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from pipeline.reporting.cards import WHOLE_BUSINESS, build_cards
from pipeline.reporting.charts import card_charts
from pipeline.reporting.page import render_page

MON = date(2026, 11, 16)
D = Decimal
BUSINESSES = pd.DataFrame(
    [("boutique", "Fern & Thread <Boutique>"), ("cafe", "Juniper Cafe")],
    columns=["business_id", "name"],
)
LOCATIONS = pd.DataFrame(
    [
        ("LBTQSEA", "Fern & Thread - Seattle"),
        ("LBTQPDX", "Fern & Thread - Portland"),
        ("LCAFE01", "Juniper Cafe - Park Slope"),
    ],
    columns=["location_id", "name"],
)
CATALOG = pd.DataFrame(
    [
        ("sync_error_rate_pct", "Sync error rate", "%", "daily", "down", "dead letters per 100"),
        ("orders", "Orders", "count", "daily", "up", "distinct sale orders"),
    ],
    columns=["metric", "label", "unit", "grain", "direction", "definition"],
)


def daily_frame() -> pd.DataFrame:
    rows = []
    # Boutique, Mon 16 .. Wed 18 Nov: Seattle 10, 11, 12 orders; Portland 5, 6 (nothing Wed).
    for n, orders in enumerate([10, 11, 12]):
        rows.append((MON + timedelta(n), "boutique", "LBTQSEA", "orders", D(orders)))
    for n, orders in enumerate([5, 6]):
        rows.append((MON + timedelta(n), "boutique", "LBTQPDX", "orders", D(orders)))
    rows.append((MON, "boutique", None, "sync_error_rate_pct", D("1.25")))
    # The café, Sat 14 and Sun 15 Nov only, and a metric the catalog does not know.
    rows.append((date(2026, 11, 14), "cafe", "LCAFE01", "orders", D(300)))
    rows.append((date(2026, 11, 15), "cafe", "LCAFE01", "orders", D(280)))
    rows.append((date(2026, 11, 15), "cafe", None, "data_freshness_hours", D("0.50")))
    return pd.DataFrame(
        rows, columns=["business_date", "business_id", "location_id", "metric", "value"]
    )


def weekly_frame() -> pd.DataFrame:
    prev = MON - timedelta(days=7)
    rows = [
        (MON, "boutique", "LBTQSEA", "orders", D(33)),
        (prev, "boutique", "LBTQSEA", "orders", D(40)),  # fewer orders this week: worse
        (MON, "boutique", "LBTQPDX", "orders", D(11)),
        (prev, "boutique", "LBTQPDX", "orders", D(9)),  # more: better
        (MON, "boutique", None, "sync_error_rate_pct", D("0.40")),
        (prev, "boutique", None, "sync_error_rate_pct", D("0.90")),  # errors fell: better
    ]
    return pd.DataFrame(
        rows, columns=["week_start", "business_id", "location_id", "metric", "value"]
    )


def test_cards_hold_the_weeks_values_in_catalog_order():
    boutique, cafe = build_cards(
        daily_frame(), BUSINESSES, LOCATIONS, weekly=weekly_frame(), catalog=CATALOG
    )
    assert boutique.name == "Fern & Thread <Boutique>"
    assert boutique.week_start == MON
    assert boutique.dates == tuple(MON + timedelta(n) for n in range(7))
    # Catalog order (sync error rate first), the whole business before locations by name.
    assert [(r.metric.label, r.place) for r in boutique.rows] == [
        ("Sync error rate", WHOLE_BUSINESS),
        ("Orders", "Fern & Thread - Portland"),
        ("Orders", "Fern & Thread - Seattle"),
    ]
    errors, portland, seattle = boutique.rows
    assert seattle.daily == (D(10), D(11), D(12), None, None, None, None)
    assert portland.daily[:3] == (D(5), D(6), None)
    assert (seattle.week, seattle.previous_week) == (D(33), D(40))
    assert (errors.week, errors.previous_week) == (D("0.40"), D("0.90"))
    assert [t.metric.metric for t in boutique.trends] == ["sync_error_rate_pct", "orders"]
    assert [s.place for s in boutique.trends[1].series] == [
        "Fern & Thread - Portland",
        "Fern & Thread - Seattle",
    ]
    # The café has daily rows only: its week is its last seven dates, labels are names.
    assert cafe.week_start is None
    assert cafe.dates[0] == date(2026, 11, 9) and cafe.dates[-1] == date(2026, 11, 15)
    assert [(r.metric.label, r.daily[-2:]) for r in cafe.rows] == [
        ("Orders", (D(300), D(280))),
        ("data_freshness_hours", (None, D("0.50"))),
    ]


def test_without_weekly_view_or_catalog_daily_values_labelled_by_name():
    boutique, _ = build_cards(daily_frame(), BUSINESSES, LOCATIONS)
    assert boutique.week_start is None
    assert boutique.dates[-1] == date(2026, 11, 18)  # the last date with data
    assert {r.metric.label for r in boutique.rows} == {"orders", "sync_error_rate_pct"}
    assert all(r.week is None for r in boutique.rows)


def _through_sunday() -> pd.DataFrame:
    """The boutique's data reaches Sunday 22nd (a sync error rate that day): its week is whole."""
    sunday = (MON + timedelta(days=6), "boutique", None, "sync_error_rate_pct", D("0.00"))
    frame = daily_frame()
    return pd.concat([frame, pd.DataFrame([sunday], columns=frame.columns)], ignore_index=True)


def test_page_is_offline_escaped_and_tones_the_week_by_good_direction():
    cards = build_cards(
        _through_sunday(), BUSINESSES, LOCATIONS, weekly=weekly_frame(), catalog=CATALOG
    )
    charts = {card.business_id: card_charts(card)[0] for card in cards}
    html = render_page(cards, charts, through=date(2026, 11, 22))
    # Nothing fetched: no script, and every src/href is a fragment or inline data.
    assert "<script" not in html.lower()
    assert re.findall(r'(?:src|href)="([^"#][^"]*)"', html) == []
    assert "Fern &amp; Thread &lt;Boutique&gt;" in html and "<Boutique>" not in html
    assert html.count("<svg") == 2 and 'data-business="cafe"' in html
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    seattle = next(r for r in rows if "Seattle" in r)
    assert '<td class="week worse">33</td><td>40</td>' in seattle
    portland = next(r for r in rows if "Portland" in r)
    assert '<td class="week better">11</td><td>9</td>' in portland
    errors = next(r for r in rows if "Sync error rate" in r)
    assert '<td class="week better">0.40</td><td>0.90</td>' in errors
    assert "<th>Week</th>" in html and "so far" not in html
    assert "Data through 2026-11-22" in html


def test_a_week_in_progress_is_shown_so_far_and_not_judged_against_a_whole_week():
    # The café's data reaches Sunday 22nd; the boutique's only Wednesday 18th: 3 days in.
    cafe_sunday = (MON + timedelta(days=6), "cafe", "LCAFE01", "orders", D(290))
    frame = daily_frame()
    frame = pd.concat([frame, pd.DataFrame([cafe_sunday], columns=frame.columns)])
    cards = build_cards(frame, BUSINESSES, LOCATIONS, weekly=weekly_frame(), catalog=CATALOG)
    assert [c.through for c in cards] == [date(2026, 11, 18), date(2026, 11, 22)]
    # The page's data reaches Sunday, but the boutique is judged by its own.
    html = render_page(cards, {}, through=date(2026, 11, 22))
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    seattle = next(r for r in rows if "Seattle" in r)
    assert '<td class="week">33</td><td>40</td>' in seattle  # 33 so far, 40 last week: no tone
    assert "better" not in html.split("</style>")[1] and "worse" not in html.split("</style>")[1]
    assert "<th>Week so far (3 of 7 days)</th>" in html
    assert "The week is 3 of 7 days in" in html


def test_charts_one_per_metric_svg_and_png_the_same_bytes_twice():
    boutique, _ = build_cards(daily_frame(), BUSINESSES, LOCATIONS, catalog=CATALOG)
    svg, png = card_charts(boutique)
    assert svg.startswith("<svg")
    # Two metrics drawn (the grid's third cell is hidden, not drawn), titles as text.
    assert len(re.findall(r'<g id="axes_\d+">', svg)) == 2
    assert "Sync error rate (%)" in svg and "Orders (count)" in svg
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert card_charts(boutique) == (svg, png)


def test_a_business_without_metrics_gets_a_note_not_a_chart():
    empty = daily_frame().iloc[0:0]
    (boutique, cafe) = build_cards(empty, BUSINESSES, LOCATIONS)
    assert card_charts(cafe) == ("", b"")
    html = render_page([boutique, cafe], {}, through=None)
    assert html.count("No metrics for this business yet.") == 2
    assert "No data yet" in html


@pytest.fixture
def warehouse_with_metrics(home):
    """A warehouse holding the frames above (and the weekly view and catalog)."""
    path = home / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA ref")
        con.execute("CREATE TABLE ref.businesses AS SELECT * FROM BUSINESSES")
        con.execute("CREATE TABLE ref.locations AS SELECT * FROM LOCATIONS")
        con.execute("CREATE TABLE ref.metrics AS SELECT * FROM CATALOG")
        daily, weekly = daily_frame(), weekly_frame()  # noqa: F841 - read by DuckDB by name
        con.execute(
            "CREATE TABLE marts.scorecard_daily AS SELECT business_date::DATE AS business_date,"
            " business_id, location_id, metric, value::DECIMAL(18, 2) AS value FROM daily"
        )
        con.execute(
            "CREATE TABLE marts.scorecard_weekly AS SELECT week_start::DATE AS week_start,"
            " business_id, location_id, metric, value::DECIMAL(18, 2) AS value FROM weekly"
        )
    return path


def test_asset_writes_the_page_atomically_with_pngs_in_metadata(warehouse_with_metrics, home):
    from assets.scorecard_page import scorecard_html
    from resources.warehouse import WarehouseResource

    warehouse = WarehouseResource(path=str(warehouse_with_metrics))
    target = home / "exports" / "scorecard.html"
    target.parent.mkdir()
    (target.parent / ".scorecard.html.999.tmp").write_text("left by a killed export")
    result = scorecard_html(warehouse=warehouse)
    page = target.read_bytes()
    assert b"Juniper Cafe" in page and b"Fern &amp; Thread" in page
    assert b"Week of Mon 16 Nov" in page  # the weekly view was read
    assert sorted(p.name for p in target.parent.iterdir()) == ["scorecard.html"]
    meta = result.metadata
    assert meta["businesses"] == 2 and meta["through"] == "2026-11-18"
    for name in ("Juniper Cafe", "Fern & Thread <Boutique>"):
        markdown = meta[f"charts: {name}"].value
        assert markdown.startswith(f"![{name} trends](data:image/png;base64,iVBORw0KGgo")
    scorecard_html(warehouse=warehouse)
    assert target.read_bytes() == page  # same warehouse, same bytes
