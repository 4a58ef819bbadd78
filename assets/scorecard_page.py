"""The scorecard people look at: exports/scorecard.html (offline, charts inline) rebuilt after
each run, and the same charts as PNG in the asset's metadata for the Dagster UI."""

from __future__ import annotations

import base64

import dagster as dg

from assets.partitions import WAREHOUSE_POOL
from assets.scope import in_scope
from pipeline.settings import scorecard_html_path
from resources.warehouse import WarehouseResource

SOURCES = [
    dg.AssetKey(["marts", "scorecard_daily"]),
    dg.AssetKey(["marts", "scorecard_weekly"]),
    dg.AssetKey(["ref", "metrics"]),
    dg.AssetKey(["ref", "businesses"]),
    dg.AssetKey(["ref", "locations"]),
]


@dg.asset(
    key=["exports", "scorecard_html"],
    deps=SOURCES,
    group_name="exports",
    kinds={"html"},
    pool=WAREHOUSE_POOL,
)
def scorecard_html(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """$BACKBONE_HOME/exports/scorecard.html: the week's metrics and trend charts per business,
    one self-contained page (no CDN, no script), replaced atomically; no customer data."""
    from pipeline.reporting.cards import build_cards
    from pipeline.reporting.charts import card_charts
    from pipeline.reporting.page import render_page
    from pipeline.store.scorecard_page import read_scorecard, write_atomically

    with warehouse.connect() as con:
        data = read_scorecard(con, in_scope())
    cards = build_cards(
        data.daily,
        data.businesses,
        data.locations,
        weekly=data.weekly,
        catalog=data.catalog,
    )
    through = max(data.daily["business_date"]) if len(data.daily) else None
    charts = {card.business_id: card_charts(card) for card in cards}
    page = render_page(cards, {b: svg for b, (svg, _) in charts.items()}, through=through)
    target = scorecard_html_path()
    write_atomically(page.encode("utf-8"), target)
    metadata: dict[str, object] = {
        "path": dg.MetadataValue.path(str(target)),
        "businesses": len(cards),
        "metrics": len({row.metric.metric for card in cards for row in card.rows}),
        "through": through.isoformat() if through else "no data",
    }
    for card in cards:
        _, png = charts[card.business_id]
        if png:
            uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            metadata[f"charts: {card.name}"] = dg.MetadataValue.md(f"![{card.name} trends]({uri})")
    return dg.MaterializeResult(metadata=metadata)
