"""Daily postings: a location's business day as balanced journal entries, in integer cents.

Pure functions, no Dagster, no DuckDB. Discounts are booked gross (revenue at list price and a
contra-revenue discount line) so the ledger shows what was given away. An order with bad input
(holds.py), whose lines and payments disagree, or whose product has no revenue account, is held
out and reported, never posted to a guessed account; what is posted therefore balances by
construction, and `Entry.check()` proves it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pipeline.accounting.allocation import allocate
from pipeline.accounting.holds import NO_LIMITS, InputLimits, input_problem


@dataclass(frozen=True)
class RevenuePart:
    """Where part of a sale line's revenue goes (core.sales_line_parts).

    A part has either a fixed `amount` (a modifier, at what the POS charged) or a `share` of
    what the fixed parts leave (the product itself with share 1, or a bundle's components).
    """

    kind: str  # "item", "component" or "modifier"
    key: str  # SKU, component SKU or modifier id: named when something is wrong
    revenue_account: str | None
    amount: int | None = None
    share: Decimal | None = None
    # The account's class (accounts.csv): a LIABILITY (gift cards, deposits) is not a sale.
    account_class: str | None = None


@dataclass(frozen=True)
class PartAmounts:
    account: str
    gross: int
    discount: int
    tax: int
    account_class: str | None = None


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
    parts: tuple[RevenuePart, ...] = ()
    # Return lines: the refund's reason and the account it books to (reference/refund_reasons).
    reason: str | None = None
    return_account: str | None = None
    line_uid: str | None = None
    quantity: Decimal | None = None
    account_class: str | None = None  # of revenue_account, for a line without parts


def split_line(line: SaleLine) -> list[PartAmounts]:
    """A sale line's gross, discount and tax per revenue part, each summing to the line's own.

    Fixed parts (modifiers) take their amounts; shared parts (the item, or a bundle's components)
    split what is left by share; discount and tax then follow each part's gross. Raises
    ValueError naming the part when the line cannot be split without guessing.
    """
    if not line.parts:
        if line.revenue_account is None:
            raise ValueError(
                f"SKU {line.sku or '?'} has no revenue account in the product crosswalk"
            )
        account, account_class = line.revenue_account, line.account_class
        return [PartAmounts(account, line.gross, line.discount, line.tax, account_class)]
    for part in line.parts:
        if part.revenue_account is None:
            label = "SKU" if part.kind in ("item", "component") else part.kind
            raise ValueError(f"{label} {part.key} has no revenue account in the crosswalk")
    fixed = [p for p in line.parts if p.share is None]
    shared = [p for p in line.parts if p.share is not None]
    if any(p.amount is None for p in fixed):
        raise ValueError(f"line of SKU {line.sku or '?'} has a modifier amount missing")
    rest = line.gross - sum(p.amount for p in fixed)
    if rest < 0:
        raise ValueError(f"line of SKU {line.sku or '?'}: modifiers exceed the line's gross")
    if not shared:
        if rest:
            raise ValueError(f"line of SKU {line.sku or '?'}: {rest} cents belong to no part")
        grosses = [p.amount for p in fixed]
    else:
        if sum(p.share for p in shared) != 1:
            raise ValueError(f"bundle {line.sku or '?'}: component shares do not sum to 1")
        split = iter(allocate(rest, [p.share for p in shared]))
        grosses = [p.amount if p.share is None else next(split) for p in line.parts]
    discounts = allocate(line.discount, grosses)
    taxes = allocate(line.tax, grosses)
    return [
        PartAmounts(part.revenue_account, gross, discount, tax, part.account_class)
        for part, gross, discount, tax in zip(line.parts, grosses, discounts, taxes, strict=True)
    ]


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
    # (currency, first field in it) of every money field of the order, its payments and refunds.
    currencies: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PostingAccounts:
    discounts: str
    returns: str
    tips_payable: str
    service_charges: str
    rounding: str
    payout_bank: str
    disputed_funds: str
    chargeback_losses: str
    funds_in_transit: str  # payouts sent by the processor, not yet in the bank
    # Never posted by these rules: Xero write-back only (pipeline/accounting/xero_bank.py).
    square_balance_suspense: str
    # Largest gap (cents) between an order's tenders and its total that is booked to the
    # rounding account (cash rounding, a POS's own rounding); a larger gap holds the order out.
    rounding_cap: int = 0

    @classmethod
    def roles(cls) -> tuple[str, ...]:
        """The roles reference/posting_accounts.csv must map: every field but the cap."""
        return tuple(n for n in cls.__dataclass_fields__ if n != "rounding_cap")

    @classmethod
    def from_roles(cls, roles: Mapping[str, str], rounding_cap: int = 0) -> PostingAccounts:
        return cls(**{name: roles[name] for name in cls.roles()}, rounding_cap=rounding_cap)


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
    # The business day the activity belongs to (an adjusting entry is dated later), and for an
    # adjusting entry the original it corrects.
    activity_date: date | None = None
    adjusts_entry_id: str | None = None

    def __post_init__(self) -> None:
        if self.activity_date is None:
            self.activity_date = self.business_date

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
    order_id: str  # or, for a whole location-day held, the unmapped item
    reason: str
    whole_day: bool = False


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


def day_entries(
    business_id: str, location_id: str, day: date, ledgers: list[tuple[str, _Ledger, str]]
) -> list[Entry]:
    """One checked entry per (kind, ledger, memo) that has lines."""
    entries = []
    for kind, ledger, memo in ledgers:
        lines = ledger.lines()
        if not lines:
            continue
        entry = Entry(
            entry_id(location_id, day, kind),
            business_id,
            location_id,
            day,
            kind,
            f"{memo} {location_id} {day.isoformat()}",
            lines,
        )
        entry.check()
        entries.append(entry)
    return entries


def _group(items: Iterable, key) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped


def _order_problem(
    lines: list[SaleLine],
    tenders: list[TenderFact],
    totals: OrderTotals | None,
    rounding_cap: int,
    limits: InputLimits,
    splits: list[list[PartAmounts]],  # gets each line's split: made once, posted as made
) -> str | None:
    problem = input_problem(lines, tenders, totals, limits)
    if problem:
        return problem
    if totals is None:
        return "order is not in staging (dead-lettered, not completed, or not yet arrived)"
    if not lines:
        return "order has no lines"
    for line in lines:
        sku = line.sku or "?"
        if None in (line.gross, line.discount, line.tax, line.total):
            return f"line of SKU {sku} has an amount missing"
        # Returns post to the returns account, but an unmapped SKU still holds them out.
        try:
            parts = split_line(line)
        except ValueError as exc:
            return str(exc)
        splits.append(parts)
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
    if abs(tendered - expected) > rounding_cap:
        return (
            f"tenders {tendered} <> order total {expected}: {tendered - expected} cents over "
            f"the rounding cap of {rounding_cap}"
            if rounding_cap
            else f"tenders {tendered} <> order total {expected}"
        )
    return None


def post_day(
    business_id: str,
    location_id: str,
    day: date,
    lines: Iterable[SaleLine],
    tenders: Iterable[TenderFact],
    orders: Iterable[OrderTotals],
    accounts: PostingAccounts,
    limits: InputLimits = NO_LIMITS,
) -> tuple[list[Entry], list[HeldOut]]:
    """Sales, returns and processor-fee entries of one location's business day; an order held
    out posts none of its lines nor tenders, so what posts still balances."""
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
        splits: list[list[PartAmounts]] = []
        problem = _order_problem(
            order_lines, order_tenders, totals.get(order_id), accounts.rounding_cap, limits, splits
        )
        if problem:
            held.append(HeldOut(order_id, problem))
            continue
        # An exchange (sale and return lines in one order) posts with the day's sales.
        ledger = sales if any(line.line_kind == "sale" for line in order_lines) else returns
        _post_order(ledger, order_lines, splits, order_tenders, totals[order_id], accounts)
        for tender in order_tenders:
            if tender.fee:
                fees.debit(tender.fee_account, tender.fee, "Processor fees")
                fees.credit(tender.clearing_account, tender.fee, "Processor fees withheld")
    kinds = [("SALES", sales, "Daily sales"), ("RETURNS", returns, "Returns and refunds")]
    kinds.append(("FEES", fees, "Card processing fees"))
    return day_entries(business_id, location_id, day, kinds), held


# What selling into an account that is not revenue is: a gift card or deposit is owed back.
_SOLD_MEMO = {"LIABILITY": "Gift cards and deposits sold (owed to customers)"}


def _post_order(ledger: _Ledger, lines, splits, tenders, order: OrderTotals, accounts) -> None:
    for line, parts in zip(lines, splits, strict=True):
        if line.line_kind == "sale":
            for part in parts:
                ledger.credit(
                    part.account, part.gross, _SOLD_MEMO.get(part.account_class, "Gross sales")
                )
                if part.discount:
                    ledger.debit(accounts.discounts, part.discount, "Discounts given")
                if part.tax:
                    ledger.credit(line.tax_account, part.tax, "Sales tax collected")
        else:
            memo = "Returns (net of discount)" + (f": {line.reason}" if line.reason else "")
            account = line.return_account or accounts.returns
            ledger.debit(account, line.gross - line.discount, memo)
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
    # Within the cap, what tenders and order disagree by is rounding (checked by _order_problem).
    sold = sum(line.total for line in lines if line.line_kind == "sale")
    returned = sum(line.total for line in lines if line.line_kind == "return")
    expected = sold + order.service_charge + order.tip - returned - order.return_tip
    gap = sum(t.amount + t.tip for t in tenders) - expected
    if gap:
        ledger.credit(accounts.rounding, gap, "Rounding")
