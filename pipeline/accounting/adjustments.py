"""Posted history is never edited: late changes to a posted day become adjusting entries.

A day's entries are computed afresh from the facts on every run. The first time a location's
day is posted, those entries are written as they are. After that, the ledger already holds the
day (its original entries plus any earlier adjustments); if today's computation differs, the
difference per account is written as a new adjusting entry, dated on the posting date and
pointing at the original. Re-running with unchanged facts writes nothing.

Pure functions over cents; the journal asset supplies what is posted and writes what is new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pipeline.accounting.posting import Entry, JournalLine


@dataclass(frozen=True)
class PostedEntry:
    """An entry already in the ledger, reduced to what adjusting needs."""

    entry_id: str
    business_id: str
    location_id: str
    kind: str
    activity_date: date
    adjusts_entry_id: str | None
    amounts: Mapping[str, int] = field(default_factory=dict)  # account -> signed cents (+ debit)


def signed(lines: Iterable[JournalLine]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.account_code] += line.debit - line.credit
    return dict(totals)


def adjustment_id(original_id: str, number: int) -> str:
    return f"{original_id}-ADJ{number:02d}"


def entries_to_write(
    target: Iterable[Entry],
    posted: Iterable[PostedEntry],
    posting_date: date,
) -> list[Entry]:
    """What to append so the ledger's totals for each (location, day, kind) equal `target`.

    `target` is a fresh computation of one or more locations' business day; `posted` is what
    the ledger already holds for the same locations and day. A location's day that has never
    been posted is written as computed. Once any of its entries is posted, every difference
    becomes an adjusting entry dated on `posting_date` (never before the day it adjusts), even
    for a kind the day did not have yet (a late refund on a day with only sales): it points at
    that kind's original, or else at the day's first original entry.
    """
    target_by_key = {(e.location_id, e.business_date, e.kind): e for e in target}
    posted_by_day: dict[tuple[str, date], list[PostedEntry]] = defaultdict(list)
    for entry in posted:
        posted_by_day[(entry.location_id, entry.activity_date)].append(entry)

    out: list[Entry] = []
    days = {(loc, day) for loc, day, _ in target_by_key} | set(posted_by_day)
    for location_id, day in sorted(days):
        history = posted_by_day.get((location_id, day), [])
        kinds = {k for loc, d, k in target_by_key if (loc, d) == (location_id, day)}
        kinds |= {p.kind for p in history}
        if not history:
            out += [target_by_key[(location_id, day, kind)] for kind in sorted(kinds)]
            continue
        originals = sorted(p.entry_id for p in history if p.adjusts_entry_id is None)
        for kind in sorted(kinds):
            adjusting = _adjustment(
                target_by_key.get((location_id, day, kind)),
                [p for p in history if p.kind == kind],
                originals,
                (location_id, day, kind),
                posting_date,
            )
            if adjusting is not None:
                out.append(adjusting)
    return out


def _adjustment(
    fresh: Entry | None,
    history: list[PostedEntry],
    day_originals: list[str],
    key: tuple[str, date, str],
    posting_date: date,
) -> Entry | None:
    location_id, day, kind = key
    originals = [p for p in history if p.adjusts_entry_id is None]
    if len(originals) > 1:
        raise ValueError(
            f"ledger holds {len(originals)} original entries for {location_id} {day} {kind}"
        )
    booked: dict[str, int] = defaultdict(int)
    for entry in history:
        for account, cents in entry.amounts.items():
            booked[account] += cents
    wanted = signed(fresh.lines) if fresh is not None else {}
    delta = {
        account: wanted.get(account, 0) - booked.get(account, 0)
        for account in sorted(set(wanted) | set(booked))
    }
    delta = {account: cents for account, cents in delta.items() if cents}
    if not delta:
        return None
    adjusts = originals[0].entry_id if originals else day_originals[0]
    business_id = fresh.business_id if fresh is not None else history[0].business_id
    number = sum(1 for p in history if p.adjusts_entry_id is not None) + 1
    adjusting = Entry(
        entry_id=adjustment_id(f"{location_id}-{day.isoformat()}-{kind}", number),
        business_id=business_id,
        location_id=location_id,
        business_date=max(posting_date, day),
        kind=kind,
        memo=f"Adjusts {adjusts}: late changes to {day.isoformat()}",
        lines=[
            JournalLine(account, max(cents, 0), max(-cents, 0), f"Adjustment of {day}")
            for account, cents in delta.items()
        ],
        activity_date=day,
        adjusts_entry_id=adjusts,
    )
    adjusting.check()
    return adjusting
