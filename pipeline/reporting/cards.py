"""One card per business: the week's values of every metric and the daily trend behind them.

Inputs are the warehouse's long-format frames: `daily` (business_date, business_id, location_id,
metric, value), `weekly` (week_start, ..., the same) and the metric catalog (metric, label, unit,
grain, direction, definition). The weekly view and the catalog are optional: without `weekly`
the card shows daily values only (a week's median or rate is not a function of its days'
values, so it is never derived here), without the catalog a metric is labelled by its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

# A row's place when the metric is measured for the whole business (location_id NULL).
WHOLE_BUSINESS = "all locations"
WEEK = 7


@dataclass(frozen=True)
class Metric:
    metric: str
    label: str
    unit: str = ""
    direction: str = ""  # "up" or "down": which way is good; "" when the catalog does not say
    definition: str = ""


@dataclass(frozen=True)
class Series:
    place: str
    points: tuple[tuple[date, Decimal], ...]


@dataclass(frozen=True)
class Row:
    """One metric at one place: its value on each of the week's dates, and the week's own."""

    metric: Metric
    place: str
    daily: tuple[Decimal | None, ...]
    week: Decimal | None = None
    previous_week: Decimal | None = None


@dataclass(frozen=True)
class Trend:
    metric: Metric
    grain: str  # "daily", or "weekly" for a metric the warehouse only computes per week
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Card:
    business_id: str
    name: str
    dates: tuple[date, ...]  # the week's dates, oldest first: the table's daily columns
    week_start: date | None  # None when there is no weekly view
    rows: tuple[Row, ...]
    trends: tuple[Trend, ...]
    # The business's latest date with any metric: how far into its week its data reaches (a
    # business whose extract lags is not judged on a week it has not finished).
    through: date | None = None


def catalog_metrics(catalog: pd.DataFrame | None, present: list[str]) -> list[Metric]:
    """Metrics in catalog order, then any the data has that the catalog lacks, by name."""
    known: dict[str, Metric] = {}
    if catalog is not None:
        for rec in catalog.to_dict("records"):
            known[rec["metric"]] = Metric(
                metric=rec["metric"],
                label=_text(rec.get("label")) or rec["metric"],
                unit=_text(rec.get("unit")),
                direction=_text(rec.get("direction")).lower(),
                definition=_text(rec.get("definition")),
            )
    ordered = [m for name, m in known.items() if name in present]
    ordered += [Metric(name, name) for name in sorted(set(present) - set(known))]
    return ordered


def build_cards(
    daily: pd.DataFrame,
    businesses: pd.DataFrame,
    locations: pd.DataFrame,
    *,
    weekly: pd.DataFrame | None = None,
    catalog: pd.DataFrame | None = None,
    trend_days: int = 56,
) -> list[Card]:
    """A card for each business in `businesses` (business_id, name), in business_id order."""
    place_names = dict(zip(locations["location_id"], locations["name"], strict=True))
    cards = []
    pairs = zip(businesses["business_id"], businesses["name"], strict=True)
    for business_id, name in sorted(pairs):
        days = _with_place(daily[daily["business_id"] == business_id], place_names)
        weeks = None
        if weekly is not None:
            weeks = _with_place(weekly[weekly["business_id"] == business_id], place_names)
        cards.append(_card(business_id, name, days, weeks, catalog, trend_days))
    return cards


def _card(business_id, name, days, weeks, catalog, trend_days) -> Card:
    present = sorted(set(days["metric"]) | (set(weeks["metric"]) if weeks is not None else set()))
    metrics = catalog_metrics(catalog, present)
    week_start = max(weeks["week_start"]) if weeks is not None and len(weeks) else None
    if week_start is not None:
        dates = tuple(week_start + timedelta(days=n) for n in range(WEEK))
    elif len(days):
        last = max(days["business_date"])
        dates = tuple(last - timedelta(days=n) for n in reversed(range(WEEK)))
    else:
        dates = ()
    rows: list[Row] = []
    trends: list[Trend] = []
    for metric in metrics:
        mine = days[days["metric"] == metric.metric]
        theirs = weeks[weeks["metric"] == metric.metric] if weeks is not None else None
        for place in _places(mine, theirs):
            at = mine[mine["place"] == place]
            by_day = dict(zip(at["business_date"], at["value"], strict=True))
            row = Row(metric, place, tuple(by_day.get(d) for d in dates))
            if theirs is not None and week_start is not None:
                wk = theirs[theirs["place"] == place]
                by_week = dict(zip(wk["week_start"], wk["value"], strict=True))
                row = Row(
                    metric,
                    place,
                    row.daily,
                    week=by_week.get(week_start),
                    previous_week=by_week.get(week_start - timedelta(days=WEEK)),
                )
            rows.append(row)
        trend = _trend(metric, mine, theirs, trend_days)
        if trend.series:
            trends.append(trend)
    through = max(days["business_date"]) if len(days) else None
    return Card(business_id, name, dates, week_start, tuple(rows), tuple(trends), through)


def _trend(metric: Metric, days: pd.DataFrame, weeks, trend_days: int) -> Trend:
    """Daily points of the last `trend_days` dates; weekly ones for a weekly-only metric."""
    if len(days):
        frame, column, grain = days, "business_date", "daily"
        since = max(days["business_date"]) - timedelta(days=trend_days - 1)
        frame = frame[frame["business_date"] >= since]
    elif weeks is not None and len(weeks):
        frame, column, grain = weeks, "week_start", "weekly"
    else:
        return Trend(metric, "daily", ())
    series = []
    for place in _places(frame, None):
        at = frame[(frame["place"] == place) & frame["value"].notna()].sort_values(column)
        points = tuple(zip(at[column], at["value"], strict=True))
        if points:
            series.append(Series(place, points))
    return Trend(metric, grain, tuple(series))


def _with_place(frame: pd.DataFrame, place_names: dict[str, str]) -> pd.DataFrame:
    """The frame with a `place` column: the location's name, or WHOLE_BUSINESS."""
    place = [
        WHOLE_BUSINESS if _missing(loc) else place_names.get(loc, loc)
        for loc in frame["location_id"]
    ]
    return frame.assign(place=place)


def _places(days: pd.DataFrame, weeks: pd.DataFrame | None) -> list[str]:
    """The whole business first, then locations by name."""
    names = set(days["place"]) | (set(weeks["place"]) if weeks is not None else set())
    return sorted(names, key=lambda p: (p != WHOLE_BUSINESS, p))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _text(value) -> str:
    return "" if _missing(value) else str(value).strip()
