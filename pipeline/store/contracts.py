"""Pandera contracts for core and marts models: a model that breaks one is not committed."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd
import pandera.pandas as pa

from pipeline.kernel.normalize import mask_text


def _is_money(series: pd.Series) -> bool:
    return bool(
        series.map(
            lambda v: v is None or (isinstance(v, Decimal) and v.as_tuple().exponent == -2)
        ).all()
    )


def money(nullable: bool = False) -> pa.Column:
    return pa.Column(object, pa.Check(_is_money, error="not DECIMAL(18,2)"), nullable=nullable)


def nonneg_money() -> pa.Column:
    return pa.Column(
        object,
        [
            pa.Check(_is_money, error="not DECIMAL(18,2)"),
            pa.Check(lambda s: (s.map(lambda v: v >= 0)).all(), error="negative amount"),
        ],
    )


# Table-wide checks answer per row (a boolean Series), so a failure names the rows that break
# them, not "column None row None".


def _tender_signs(df: pd.DataFrame) -> pd.Series:
    payment = df["fact_kind"] == "payment"
    positive = df["amount_money"].map(lambda v: v >= 0)
    negative = df["amount_money"].map(lambda v: v <= 0)
    return (payment & positive) | (~payment & negative)


def _recon_net(df: pd.DataFrame) -> pd.Series:
    parts = df["gross_charges"] - df["refunds"] - df["fees"] + df["disputes"] + df["other_entries"]
    return df["net_amount"].isna() | (parts == df["net_amount"])


def _clearing_rolls(df: pd.DataFrame) -> pd.Series:
    moved = df["inflow"] - df["outflow"] - df["fees"] - df["settled"]
    return ((df["opening"] + moved) == df["closing"]) & (
        (df["refunds"] + df["disputes"]) == df["outflow"]
    )


def _clearing_continues(df: pd.DataFrame) -> pd.Series:
    """Each day opens at the previous day's close; the first loaded day at zero."""
    keys = ["business_id", "location_id", "clearing_account", "canonical_tender"]
    ordered = df.sort_values([*keys, "business_date"])
    previous = ordered.groupby(keys, dropna=False)["closing"].shift()
    previous = previous.where(previous.notna(), Decimal("0.00"))
    return (ordered["opening"] == previous).reindex(df.index)


_ID = pa.Column(str, nullable=False)
_ACCOUNT = pa.Column(str, pa.Check.str_matches(r"^\d{3,4}$"))

CONTRACTS: dict[str, pa.DataFrameSchema] = {
    "core.identity_map": pa.DataFrameSchema(
        {
            "business_id": _ID,
            "source": pa.Column(str, pa.Check.isin(["square", "hubspot", "xero"])),
            "source_id": _ID,
            "customer_id": pa.Column(str, pa.Check.str_matches(r"^cus_[0-9a-f]{16}$")),
            "match_rule": _ID,
            "match_score": pa.Column(float, pa.Check.in_range(0, 1)),
            "match_probability": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        },
        unique=["business_id", "source", "source_id"],
    ),
    "core.customers": pa.DataFrameSchema(
        {
            "customer_id": _ID,
            "business_id": _ID,
            "email": pa.Column(str, pa.Check.str_contains("@"), nullable=True),
            "phone": pa.Column(str, pa.Check.str_matches(r"^\+\d{8,15}$"), nullable=True),
            "consent_email": pa.Column(bool),
            "consent_sms": pa.Column(bool),
            "jurisdiction": pa.Column(str, nullable=True),
        },
        unique=["customer_id"],
    ),
    "core.products": pa.DataFrameSchema(
        {
            "business_id": _ID,
            "sku": _ID,
            "item_code": _ID,
            # NULL only for bundles, whose components carry the accounts (reference.py checks).
            "revenue_account": pa.Column(str, pa.Check.str_matches(r"^\d{3,4}$"), nullable=True),
            "tax_category": _ID,
            "uom": _ID,
            # NULL where the POS sets the amount (products.csv price blank: a gift card of any
            # value, an open-priced item); cost then may be unknown too.
            "list_price": money(nullable=True),
            "unit_cost": money(nullable=True),
        },
        unique=["business_id", "sku"],
    ),
    "core.sales_line_parts": pa.DataFrameSchema(
        {
            "order_id": _ID,
            "line_uid": _ID,
            "part_kind": pa.Column(str, pa.Check.isin(["item", "component", "modifier"])),
            "amount_money": money(nullable=True),
            "cost_money": money(nullable=True),
        },
        checks=[
            pa.Check(
                lambda df: df["amount_money"].isna() ^ df["revenue_share"].isna(),
                error="a part has either a fixed amount or a share",
            )
        ],
        unique=["business_id", "order_id", "line_uid", "part_no"],
    ),
    "core.tenders": pa.DataFrameSchema(
        {
            "canonical_tender": _ID,
            "tender_type": _ID,
            "source_type": _ID,
            "clearing_account": _ACCOUNT,
        },
        unique=["source_type", "card_brand", "wallet_brand"],
    ),
    "core.tender_facts": pa.DataFrameSchema(
        {
            "fact_id": _ID,
            "fact_kind": pa.Column(str, pa.Check.isin(["payment", "refund", "dispute"])),
            "business_id": _ID,
            "location_id": _ID,
            "business_date": pa.Column(nullable=False),
            "source_type": pa.Column(str, nullable=True),
            # NULL when the tender is unmapped: never a guessed account.
            "clearing_account": pa.Column(str, pa.Check.str_matches(r"^\d{3,4}$"), nullable=True),
            "amount_money": money(),
            "tip_money": money(),
            "fee_money": money(),
            # Checked by value, not dtype: an empty table has object columns.
            "is_chargeback": pa.Column(
                None, pa.Check(lambda s: s.map(lambda v: isinstance(v, bool)).all())
            ),
        },
        checks=[
            pa.Check(_tender_signs, error="payments are positive; refunds and disputes negative"),
            pa.Check(
                lambda df: ~df["is_chargeback"] | (df["fact_kind"] == "dispute"),
                error="only a dispute is a chargeback",
            ),
        ],
        unique=["business_id", "fact_kind", "fact_id"],
    ),
    "marts.journal_entries": pa.DataFrameSchema(
        {
            "entry_id": _ID,
            "business_id": _ID,
            "location_id": _ID,
            "kind": pa.Column(
                str,
                pa.Check.isin(
                    [
                        "SALES",
                        "RETURNS",
                        "FEES",
                        "PAYOUT",
                        "DEPOSIT",
                        "PAYOUT_RETURN",
                        "CHARGEBACK",
                    ]
                ),
            ),
            "memo": _ID,
        },
        unique=["entry_id"],
    ),
    "marts.journal_lines": pa.DataFrameSchema(
        {
            "entry_id": _ID,
            "line_no": pa.Column(int, pa.Check.ge(1)),
            "account_code": _ACCOUNT,
            "debit": nonneg_money(),
            "credit": nonneg_money(),
        },
        checks=[
            pa.Check(
                lambda df: (df["debit"] == 0) ^ (df["credit"] == 0),
                error="each line is either a debit or a credit",
            ),
            # Balance has one authority per layer: Entry.check() when posting, and the blocking
            # GX check journal_lines_gx (pipeline/store/quality.py) on the table. Not repeated here.
        ],
        unique=["entry_id", "line_no"],
    ),
    "marts.segment_memberships": pa.DataFrameSchema(
        {
            "business_id": _ID,
            "segment": _ID,
            "customer_id": _ID,
            "since": pa.Column(nullable=False),
            "channel": pa.Column(str, pa.Check.isin(["email", "sms", "task"])),
            "member_key": _ID,
        },
        # One customer may be in a segment more than once (two refunds): the key is the entry.
        unique=["business_id", "member_key"],
    ),
    "marts.customer_ltv": pa.DataFrameSchema(
        {"customer_id": _ID, "gross_sales": money(), "refunds": money(), "net_ltv": money()},
        checks=[
            pa.Check(
                lambda df: df["gross_sales"] - df["refunds"] == df["net_ltv"],
                error="net_ltv = gross_sales - refunds",
            )
        ],
        unique=["business_id", "customer_id"],
    ),
    "marts.segment_suppressions": pa.DataFrameSchema(
        {"reason": pa.Column(str, pa.Check.isin(["consent", "unreachable", "cadence"]))},
        unique=["business_id", "member_key"],
    ),
    "marts.campaign_response": pa.DataFrameSchema(
        checks=[pa.Check(lambda df: df["purchased"] <= df["members"], error="purchased > members")],
        unique=["business_id", "segment"],
    ),
    "marts.customer_facts": pa.DataFrameSchema(
        {"customer_id": _ID, "visits": pa.Column(int, pa.Check.ge(0)), "net_ltv": money()},
        unique=["business_id", "customer_id"],
    ),
    # A rate or median with nothing to stand on is NULL, not 0; one row per place and metric.
    "marts.scorecard_daily": pa.DataFrameSchema(
        {"business_date": pa.Column(nullable=False), "metric": _ID, "value": money(True)},
        unique=["business_date", "business_id", "location_id", "metric"],
    ),
    "marts.scorecard_weekly": pa.DataFrameSchema(
        {"week_start": pa.Column(nullable=False), "metric": _ID, "value": money(True)},
        unique=["week_start", "business_id", "location_id", "metric"],
    ),
    "marts.reconciliation": pa.DataFrameSchema(
        {
            "business_id": _ID,
            "payout_id": _ID,
            "deposit_id": pa.Column(str, nullable=True),
            "gross_charges": money(),
            "refunds": money(),
            "fees": money(),
            "disputes": money(),
            "other_entries": money(),
            "net_amount": money(nullable=True),
            "expected_amount": money(),
            "deposited_amount": money(nullable=True),
            "difference": money(nullable=True),
            "status": pa.Column(
                str,
                pa.Check.isin(["matched", "partial", "unmatched", "in_transit", "failed"]),
            ),
            "exception": pa.Column(
                str, pa.Check.isin(["counted_twice", "wrong_account"]), nullable=True
            ),
            "aging_bucket": pa.Column(
                str, pa.Check.isin(["0-2", "3-7", "8-30", "30+"]), nullable=True
            ),
        },
        checks=[
            pa.Check(_recon_net, error="net = gross charges - refunds - fees + disputes + other"),
            pa.Check(
                lambda df: (
                    df["deposit_id"].isna()
                    == df["status"].isin(["unmatched", "in_transit", "failed"])
                ),
                error="a payout is unmatched, in transit or failed exactly when it has no deposit",
            ),
            pa.Check(
                lambda df: (
                    df["aging_bucket"].isna() == ~df["status"].isin(["unmatched", "partial"])
                ),
                error="open items, and only they, are aged",
            ),
        ],
        unique=["business_id", "payout_id", "deposit_id"],
    ),
    "marts.clearing_balances": pa.DataFrameSchema(
        {
            "business_id": _ID,
            "location_id": _ID,
            "clearing_account": pa.Column(str, pa.Check.str_matches(r"^\d{3,4}$"), nullable=True),
            "canonical_tender": pa.Column(str, nullable=True),
            "business_date": pa.Column(nullable=False),
            **{
                name: money()
                for name in (
                    "opening",
                    "inflow",
                    "refunds",
                    "disputes",
                    "outflow",
                    "fees",
                    "settled",
                    "closing",
                )
            },
        },
        checks=[
            pa.Check(
                _clearing_rolls, error="closing = opening + inflow - outflow - fees - settled"
            ),
            pa.Check(_clearing_continues, error="a day opens at the previous day's close"),
        ],
        unique=[
            "business_id",
            "location_id",
            "clearing_account",
            "canonical_tender",
            "business_date",
        ],
    ),
}


def frame(
    con: duckdb.DuckDBPyConnection, table: str, where: str = "", params: list | None = None
) -> pd.DataFrame:
    """Rows as Python objects: DECIMAL stays Decimal, where DuckDB's .df() would give floats."""
    cursor = con.execute(f"SELECT * FROM {table} {where}", params or [])
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns)


def validate_table(
    con: duckdb.DuckDBPyConnection, table: str, where: str = "", params: list | None = None
) -> None:
    schema = CONTRACTS.get(table)
    if schema is None:
        return
    data = frame(con, table, where, params)
    try:
        schema.validate(data, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise ValueError(
            f"{table} breaks its contract: " + "; ".join(_problems(schema, data, exc))
        ) from None


SHOWN_PROBLEMS = 10


def _problems(schema: pa.DataFrameSchema, data: pd.DataFrame, exc: pa.errors.SchemaErrors):
    """One line per failing row and check: the check, the row's key and the failing values.
    Failing values can be emails or phones: they are masked before they reach any log."""
    key = [c for c in (schema.unique or [next(iter(schema.columns), None)]) if c in data.columns]
    cases = exc.failure_cases
    problems = []
    for (check, index), group in cases.groupby(["check", "index"], dropna=False, sort=False):
        if len(problems) == SHOWN_PROBLEMS:
            problems.append(f"... {len(cases)} failing values in all")
            break
        values = ", ".join(
            f"{column}={mask_text(str(value))}"
            for column, value in zip(group["column"], group["failure_case"], strict=True)
            if column not in key or len(group) == 1
        )
        if pd.isna(index) or index not in data.index:
            # A whole-table failure (a missing column, a wrong type): no single row to name.
            problems.append(f"{check}: {values}")
            continue
        # Keys are ids (entry, order, pseudonymous customer), never contact data: shown whole.
        where = ", ".join(f"{k}={data.at[index, k]}" for k in key)
        problems.append(f"{check} fails for the row {where}: {values}")
    return problems
