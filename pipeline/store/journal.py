"""What posting a location's business day reads from the warehouse.

Reads only: the day's facts in the shapes pipeline/accounting posts from, in integer cents.
Writing is journal_write.py, posting a whole day journal_posting.py; the tables are the
migrations' (dbt-free-sql/_migrations/0002_journal.sql, 0005_dispute_losses.sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from pipeline.accounting.adjustments import PostedEntry
from pipeline.accounting.dispute_losses import DecidedDispute, losses_to_post
from pipeline.accounting.payouts import PayoutPart, deposits_of, settlement_movements
from pipeline.accounting.posting import (
    OrderTotals,
    PostingAccounts,
    RevenuePart,
    SaleLine,
    TenderFact,
)
from pipeline.accounting.refund_reasons import RefundReason, ReturnRefund, return_order_reasons
from pipeline.accounting.settlement import Deposit, DisputeMovement, Payout


def _cents(column: str) -> str:
    return f"CAST({column} * 100 AS BIGINT)"


def posting_accounts(con: duckdb.DuckDBPyConnection) -> PostingAccounts:
    rows = con.execute("SELECT role, account_code, cap_cents FROM ref.posting_accounts").fetchall()
    cap = next((int(c) for role, _, c in rows if role == "rounding" and c), 0)
    return PostingAccounts.from_roles({r: a for r, a, _ in rows}, rounding_cap=cap)


def locations_of(
    con: duckdb.DuckDBPyConnection, businesses: list[str]
) -> list[tuple[str, str, str]]:
    """(business_id, location_id, timezone) of these businesses' locations, by location."""
    return con.execute(
        "SELECT business_id, location_id, timezone FROM ref.locations "
        "WHERE business_id IN (SELECT unnest(?)) ORDER BY location_id",
        [businesses],
    ).fetchall()


def unmapped_on(
    con: duckdb.DuckDBPyConnection, day: date, locations: list[str]
) -> dict[str, list[tuple[str, str]]]:
    """What the reference dictionaries do not map on this day, per location: (item, message)."""
    unmapped: dict[str, list[tuple[str, str]]] = {}
    for location_id, item, message in con.execute(
        "SELECT location_id, kind || ' ' || business_id || ':' || item, message "
        "FROM core.unmapped_items "
        "WHERE business_date = ? AND location_id IN (SELECT unnest(?)) ORDER BY ALL",
        [day, locations],
    ).fetchall():
        unmapped.setdefault(location_id, []).append((item, message))
    return unmapped


def refund_reasons(con: duckdb.DuckDBPyConnection) -> list[RefundReason]:
    return [
        RefundReason(*row)
        for row in con.execute(
            "SELECT reason, label, account_code, pos_reasons FROM ref.refund_reasons"
        ).fetchall()
    ]


def return_refunds(
    con: duckdb.DuckDBPyConnection, day: date, location_ids: list[str]
) -> list[ReturnRefund]:
    """The refunds of the locations' return orders of the day, with the reason staff gave in
    the form."""
    return [
        ReturnRefund(*row)
        for row in con.execute(
            """SELECT f.business_id, f.order_id, f.fact_id, f.refund_reason, form.reason
               FROM core.tender_facts AS f
               LEFT JOIN ops.refund_reasons AS form
                   ON form.refund_id = f.fact_id AND form.business_id = f.business_id
               WHERE f.fact_kind = 'refund'
                 AND f.order_id IN (
                     SELECT order_id FROM core.sales_lines
                     WHERE business_date = ? AND location_id IN (SELECT unnest(?))
                       AND line_kind = 'return'
                 )
               ORDER BY f.business_id, f.order_id, f.fact_id""",
            [day, location_ids],
        ).fetchall()
    ]


def load_days(con: duckdb.DuckDBPyConnection, day: date, location_ids: list[str]) -> dict:
    """Each location's sale and return lines, tender facts and completed orders of the day:
    location_id -> (lines, tenders, orders). One query per table for the whole day, not one per
    location: on a 51-location day the per-location reads were most of the posting time."""
    params = [day, location_ids]

    def where(alias: str) -> str:
        return f"{alias}.business_date = ? AND {alias}.location_id IN (SELECT unnest(?))"

    parts: dict[tuple[str, str], list[RevenuePart]] = {}
    for order_id, line_uid, kind, key, account, amount, share, account_class in con.execute(
        f"""SELECT p.order_id, p.line_uid, p.part_kind, p.part_key, p.revenue_account,
                   {_cents("p.amount_money")}, p.revenue_share, a.class
            FROM core.sales_line_parts AS p
            LEFT JOIN ref.accounts AS a ON a.account_code = p.revenue_account
            WHERE {where("p")}
            ORDER BY p.location_id, p.order_id, p.line_uid, p.part_no""",
        params,
    ).fetchall():
        parts.setdefault((order_id, line_uid), []).append(
            RevenuePart(kind, key, account, amount, share, account_class)
        )
    reasons = return_order_reasons(return_refunds(con, day, location_ids), refund_reasons(con))
    days: dict[str, tuple[list, list, list]] = {loc: ([], [], []) for loc in location_ids}
    for location_id, *row, line_uid, business_id, quantity in con.execute(
        f"""SELECT location_id, order_id, line_kind, revenue_account, tax_account,
                   {_cents("gross_money")}, {_cents("discount_money")},
                   {_cents("tax_money")}, {_cents("total_money")}, sku, line_uid, business_id,
                   quantity
            FROM core.sales_lines AS l
            WHERE {where("l")}
            ORDER BY location_id, order_id, line_uid""",
        params,
    ).fetchall():
        order_id, line_kind = row[0], row[1]
        reason = reasons.get((business_id, order_id)) if line_kind == "return" else None
        days[location_id][0].append(
            SaleLine(
                *row,
                parts=tuple(parts.get((order_id, line_uid), ())),
                reason=reason.label if reason else None,
                return_account=reason.account_code if reason else None,
                line_uid=line_uid,
                quantity=quantity,
            )
        )
    for location_id, *row in con.execute(
        f"""SELECT location_id, fact_id, fact_kind, order_id, clearing_account, fee_account,
                   {_cents("amount_money")}, {_cents("tip_money")}, {_cents("fee_money")},
                   tender_type
            FROM core.tender_facts AS f
            -- A dispute belongs to no order's total: settlement posts it, from the payout
            -- entries that withhold or release its money (load_settlement).
            WHERE {where("f")} AND fact_kind IN ('payment', 'refund')
            ORDER BY location_id, fact_kind, fact_id""",
        params,
    ).fetchall():
        days[location_id][1].append(TenderFact(*row))
    for location_id, *row, money in con.execute(
        f"""SELECT o.location_id, o.order_id, {_cents("o.service_charge_money")},
                   {_cents("o.tip_money")}, {_cents("o.return_tip_money")}, o.money_currencies
            FROM staging.stg_square__orders AS o
            JOIN ref.lifecycle_states AS ls
                ON ls.system = 'square' AND ls.entity = 'order' AND ls.vendor_state = o.state
            WHERE {where("o")} AND ls.state = 'completed'""",
        params,
    ).fetchall():
        currencies = tuple((c["currency"], c["field"]) for c in money or ())
        days[location_id][2].append(OrderTotals(*row, currencies=currencies))
    return days


# Which of a location's payouts move money on a day: sent (created) on it, whatever happened
# since; arrived on it (PAID, on its arrival date, else the day it was reported paid); failed
# with the failure known on it (the day Square last updated it, in the location's time zone).
_UPDATED_ON = "CAST(timezone(l.timezone, coalesce(p.updated_at, p.created_at)) AS DATE)"
PAYOUTS_SENT = "p.business_date = ?"
PAYOUTS_ARRIVED = f"p.status = 'PAID' AND coalesce(p.arrival_date, {_UPDATED_ON}) = ?"
PAYOUTS_FAILED = f"p.status = 'FAILED' AND {_UPDATED_ON} = ?"


def payout_parts(
    con: duckdb.DuckDBPyConnection, day: date, location_ids: list[str], which: str = PAYOUTS_SENT
) -> dict[str, list[PayoutPart]]:
    """The entries of the locations' payouts that `which` picks for the day, each with the
    clearing account of the fact it settles, if any, per location (every location a key)."""
    parts: dict[str, list[PayoutPart]] = {location_id: [] for location_id in location_ids}
    for location_id, *row in con.execute(
        f"""SELECT p.location_id, p.payout_id, e.entry_type, e.dispute_id, f.clearing_account,
                   {_cents("e.net_money")}
            FROM staging.stg_square__payouts AS p
            JOIN ref.locations AS l ON l.location_id = p.location_id
            JOIN staging.stg_square__payout_entries AS e
                ON e.payout_id = p.payout_id AND e.business_id = p.business_id
            LEFT JOIN core.tender_facts AS f
                ON f.business_id = e.business_id AND f.payout_entry_id = e.payout_entry_id
            WHERE p.location_id IN (SELECT unnest(?)) AND {which}
            ORDER BY p.location_id, p.payout_id, e.entry_type, e.dispute_id""",
        [location_ids, day],
    ).fetchall():
        parts[location_id].append(PayoutPart(*row))
    return parts


def settling_clearing_accounts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The clearing accounts of tenders the processor settles in payouts."""
    return [
        account
        for (account,) in con.execute(
            "SELECT clearing_account FROM ref.tenders WHERE settles_in_payout = 'true'"
        ).fetchall()
    ]


def decided_disputes(
    con: duckdb.DuckDBPyConnection, day: date, location_ids: list[str]
) -> dict[str, tuple[list[DecidedDispute], dict[str, date]]]:
    """Per location: its decided chargebacks that may belong to `day` (decided on it, or their
    loss already posted on it), and the day each one's loss was posted, if it was."""
    found: dict[str, tuple[list[DecidedDispute], dict[str, date]]] = {
        location_id: ([], {}) for location_id in location_ids
    }
    for location_id, dispute_id, clearing, cents, decided_on, loss_day in con.execute(
        f"""SELECT d.location_id, d.dispute_id, f.clearing_account, {_cents("d.amount_money")},
                   CAST(timezone(l.timezone, d.updated_at) AS DATE), loss.activity_date
            FROM staging.stg_square__disputes AS d
            JOIN ref.locations AS l ON l.location_id = d.location_id
            LEFT JOIN core.tender_facts AS f
                ON f.business_id = d.business_id AND f.fact_kind = 'dispute'
                AND f.fact_id = d.dispute_id
            LEFT JOIN marts.dispute_losses AS loss
                ON loss.business_id = d.business_id AND loss.dispute_id = d.dispute_id
            WHERE d.location_id IN (SELECT unnest(?)) AND d.is_chargeback
              AND d.state IN ('LOST', 'ACCEPTED')
              AND (CAST(timezone(l.timezone, d.updated_at) AS DATE) = ?
                   OR loss.activity_date = ?)
            ORDER BY d.location_id, d.dispute_id""",
        [location_ids, day, day],
    ).fetchall():
        decided, posted_on = found[location_id]
        decided.append(DecidedDispute(dispute_id, clearing, cents, decided_on))
        if loss_day is not None:
            posted_on[dispute_id] = loss_day
    return found


@dataclass(frozen=True)
class Settlement:
    """A location's day of money leaving clearing, in the shapes post_settlement takes."""

    payouts: list[Payout]  # sent, per clearing account
    disputes: list[DisputeMovement]  # losses included
    deposits: list[Deposit]  # arrived in the bank
    returned: list[Payout]  # failed, back to clearing, per clearing account


def load_settlements(
    con: duckdb.DuckDBPyConnection, day: date, location_ids: list[str]
) -> dict[str, Settlement]:
    """Each location's payouts sent, arrived and failed on the day, and its dispute money
    movements. One query per kind for all the locations: read per location, these were a third
    of the posting time of a 200-location day."""
    settling = settling_clearing_accounts(con)
    sent = payout_parts(con, day, location_ids)
    failed = payout_parts(con, day, location_ids, PAYOUTS_FAILED)
    arrived = payout_parts(con, day, location_ids, PAYOUTS_ARRIVED)
    decided = decided_disputes(con, day, location_ids)
    settlements = {}
    for location_id in location_ids:
        payouts, disputes = settlement_movements(sent[location_id], settling)
        returned, _ = settlement_movements(failed[location_id], settling)
        losses = losses_to_post(day, *decided[location_id])
        settlements[location_id] = Settlement(
            payouts, disputes + losses, deposits_of(arrived[location_id]), returned
        )
    return settlements


def load_settlement(con: duckdb.DuckDBPyConnection, day: date, location_id: str) -> Settlement:
    """One location's `load_settlements`."""
    return load_settlements(con, day, [location_id])[location_id]


def posted_entries(
    con: duckdb.DuckDBPyConnection, day: date, locations: list[str]
) -> list[PostedEntry]:
    """What the ledger already holds for these locations' business day, per entry."""
    amounts: dict[str, dict[str, int]] = {}
    heads = con.execute(
        "SELECT entry_id, business_id, location_id, kind, activity_date, adjusts_entry_id "
        "FROM marts.journal_entries WHERE activity_date = ? AND location_id IN (SELECT unnest(?)) "
        "ORDER BY entry_id",
        [day, locations],
    ).fetchall()
    for entry_id, account, cents in con.execute(
        f"""SELECT l.entry_id, l.account_code, {_cents("(sum(l.debit) - sum(l.credit))")}
            FROM marts.journal_lines AS l JOIN marts.journal_entries AS e USING (entry_id)
            WHERE e.activity_date = ? AND e.location_id IN (SELECT unnest(?))
            GROUP BY ALL""",
        [day, locations],
    ).fetchall():
        amounts.setdefault(entry_id, {})[account] = cents
    return [PostedEntry(*head[:5], head[5], amounts.get(head[0], {})) for head in heads]
