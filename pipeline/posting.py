"""Daily postings: a location's business day as balanced journal entries, in integer cents.

Pure functions, no Dagster, no DuckDB. Discounts are booked gross (revenue at list price and a
contra-revenue discount line) so the ledger shows what was given away. An order whose own lines
and payments disagree, or whose product has no revenue account, is held out and reported,
never posted to a guessed account; what is posted therefore balances by construction, and
`Entry.check()` proves it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SaleLine:
    order_id: str
    line_kind: str  # "sale" or "return"
    revenue_account: str | None
    tax_account: str | None
    gross: int
    discount: int
    tax: int
    total: int
    sku: str | None = None


@dataclass(frozen=True)
class TenderFact:
    fact_id: str
    fact_kind: str  # "payment" or "refund"
    order_id: str | None  # the sale order, or for refunds the return order
    clearing_account: str | None
    fee_account: str | None
    amount: int  # excl. tip; negative for refunds
    tip: int
    fee: int  # processor fee charged (positive) or given back (negative)
    tender_type: str | None = None


@dataclass(frozen=True)
class OrderTotals:
    order_id: str
    service_charge: int = 0
    tip: int = 0
    return_tip: int = 0


@dataclass(frozen=True)
class PostingAccounts:
    discounts: str
    returns: str
    tips_payable: str
    service_charges: str
    rounding: str

    @classmethod
    def from_roles(cls, roles: Mapping[str, str]) -> PostingAccounts:
        return cls(**{name: roles[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class JournalLine:
    account_code: str
    debit: int
    credit: int
    memo: str


@dataclass
class Entry:
    entry_id: str
    business_id: str
    location_id: str
    business_date: date
    kind: str
    memo: str
    lines: list[JournalLine] = field(default_factory=list)

    @property
    def total_debit(self) -> int:
        return sum(line.debit for line in self.lines)

    @property
    def total_credit(self) -> int:
        return sum(line.credit for line in self.lines)

    def check(self) -> None:
        if self.total_debit != self.total_credit:
            raise ValueError(
                f"entry {self.entry_id} does not balance: debit {self.total_debit} "
                f"<> credit {self.total_credit}"
            )


@dataclass(frozen=True)
class HeldOut:
    order_id: str
    reason: str


def entry_id(location_id: str, day: date, kind: str) -> str:
    return f"{location_id}-{day.isoformat()}-{kind}"


class _Ledger:
    """Signed amounts per (account, memo); positive is a debit."""

    def __init__(self) -> None:
        self.amounts: dict[tuple[str, str], int] = defaultdict(int)

    def debit(self, account: str, cents: int, memo: str) -> None:
        self.amounts[(account, memo)] += cents

    def credit(self, account: str, cents: int, memo: str) -> None:
        self.amounts[(account, memo)] -= cents

    def lines(self) -> list[JournalLine]:
        out = []
        for (account, memo), cents in sorted(self.amounts.items()):
            if cents > 0:
                out.append(JournalLine(account, cents, 0, memo))
            elif cents < 0:
                out.append(JournalLine(account, 0, -cents, memo))
        return out


def _group(items: Iterable, key) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped


def _order_problem(
    lines: list[SaleLine], tenders: list[TenderFact], totals: OrderTotals | None
) -> str | None:
    if totals is None:
        return "order is not in staging (dead-lettered, not completed, or not yet arrived)"
    if not lines:
        return "order has no lines"
    for line in lines:
        sku = line.sku or "?"
        if None in (line.gross, line.discount, line.tax, line.total):
            return f"line of SKU {sku} has an amount missing"
        if line.revenue_account is None:
            return f"SKU {sku} has no revenue account in the product crosswalk"
        if line.tax and line.tax_account is None:
            return f"SKU {sku} is taxed but no tax payable account is mapped"
        if line.gross - line.discount + line.tax != line.total:
            return f"line of SKU {sku}: gross - discount + tax <> total"
    for tender in tenders:
        if tender.clearing_account is None:
            return f"tender {tender.fact_id} has no clearing account"
        if tender.fee and tender.fee_account is None:
            return f"tender {tender.fact_id} has a processor fee but no fee account"
    sold = sum(line.total for line in lines if line.line_kind == "sale")
    returned = sum(line.total for line in lines if line.line_kind == "return")
    expected = sold + totals.service_charge + totals.tip - returned - totals.return_tip
    tendered = sum(t.amount + t.tip for t in tenders)
    if tendered != expected:
        return f"tenders {tendered} <> order total {expected}"
    return None


def post_day(
    business_id: str,
    location_id: str,
    day: date,
    lines: Iterable[SaleLine],
    tenders: Iterable[TenderFact],
    orders: Iterable[OrderTotals],
    accounts: PostingAccounts,
) -> tuple[list[Entry], list[HeldOut]]:
    """Sales, returns and processor-fee entries of one location's business day."""
    lines_by_order = _group(lines, lambda line: line.order_id)
    tenders_by_order = _group((t for t in tenders if t.order_id is not None), lambda t: t.order_id)
    orphan_tenders = [t for t in tenders if t.order_id is None]
    totals = {o.order_id: o for o in orders}

    sales, returns, fees = _Ledger(), _Ledger(), _Ledger()
    held: list[HeldOut] = [
        HeldOut(t.fact_id, f"{t.fact_kind} {t.fact_id} names no order") for t in orphan_tenders
    ]
    for order_id in sorted(set(lines_by_order) | set(tenders_by_order)):
        order_lines = lines_by_order.get(order_id, [])
        order_tenders = tenders_by_order.get(order_id, [])
        problem = _order_problem(order_lines, order_tenders, totals.get(order_id))
        if problem:
            held.append(HeldOut(order_id, problem))
            continue
        # An exchange (sale and return lines in one order) posts with the day's sales.
        ledger = sales if any(line.line_kind == "sale" for line in order_lines) else returns
        _post_order(ledger, order_lines, order_tenders, totals[order_id], accounts)
        for tender in order_tenders:
            if tender.fee:
                fees.debit(tender.fee_account, tender.fee, "Processor fees")
                fees.credit(tender.clearing_account, tender.fee, "Processor fees withheld")

    entries = []
    for kind, ledger, memo in (
        ("SALES", sales, "Daily sales"),
        ("RETURNS", returns, "Returns and refunds"),
        ("FEES", fees, "Card processing fees"),
    ):
        entry_lines = ledger.lines()
        if not entry_lines:
            continue
        entry = Entry(
            entry_id(location_id, day, kind),
            business_id,
            location_id,
            day,
            kind,
            f"{memo} {location_id} {day.isoformat()}",
            entry_lines,
        )
        entry.check()
        entries.append(entry)
    return entries, held


def _post_order(ledger: _Ledger, lines, tenders, order: OrderTotals, accounts) -> None:
    for line in lines:
        if line.line_kind == "sale":
            ledger.credit(line.revenue_account, line.gross, "Gross sales")
            if line.discount:
                ledger.debit(accounts.discounts, line.discount, "Discounts given")
            if line.tax:
                ledger.credit(line.tax_account, line.tax, "Sales tax collected")
        else:
            ledger.debit(accounts.returns, line.gross - line.discount, "Returns (net of discount)")
            if line.tax:
                ledger.debit(line.tax_account, line.tax, "Sales tax refunded")
    if order.service_charge:
        ledger.credit(accounts.service_charges, order.service_charge, "Service charges")
    if order.tip:
        ledger.credit(accounts.tips_payable, order.tip, "Tips owed to staff")
    if order.return_tip:
        ledger.debit(accounts.tips_payable, order.return_tip, "Tips refunded")
    for tender in tenders:
        moved = tender.amount + tender.tip
        verb = "Tendered" if moved >= 0 else "Refunded"
        ledger.debit(tender.clearing_account, moved, f"{verb}: {tender.tender_type or 'unknown'}")
