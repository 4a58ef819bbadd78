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

from pipeline.posting import Entry, JournalLine


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
    the ledger already holds for the same locations and day. An adjusting entry is dated on
    `posting_date` (never before the day it adjusts) and carries the original's id.
    """
    target_by_key = {(e.location_id, e.business_date, e.kind): e for e in target}
    posted_by_key: dict[tuple[str, date, str], list[PostedEntry]] = defaultdict(list)
    for entry in posted:
        posted_by_key[(entry.location_id, entry.activity_date, entry.kind)].append(entry)

    out: list[Entry] = []
    for key in sorted(set(target_by_key) | set(posted_by_key)):
        location_id, day, kind = key
        fresh = target_by_key.get(key)
        history = posted_by_key.get(key, [])
        if not history:
            if fresh is not None:
                out.append(fresh)
            continue
        originals = [p for p in history if p.adjusts_entry_id is None]
        if len(originals) != 1:
            raise ValueError(
                f"ledger holds {len(originals)} original entries for {location_id} {day} {kind}"
            )
        original = originals[0]
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
            continue
        adjusting = Entry(
            entry_id=adjustment_id(original.entry_id, len(history)),
            business_id=original.business_id,
            location_id=location_id,
            business_date=max(posting_date, day),
            kind=kind,
            memo=f"Adjusts {original.entry_id}: late changes to {day.isoformat()}",
            lines=[
                JournalLine(account, max(cents, 0), max(-cents, 0), f"Adjustment of {day}")
                for account, cents in delta.items()
            ],
            activity_date=day,
            adjusts_entry_id=original.entry_id,
        )
        adjusting.check()
        out.append(adjusting)
    return out
