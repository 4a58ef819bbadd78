"""Where things live and which mode we run in; everything comes from the environment."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = REPO_ROOT / "dbt-free-sql"

# A reserved, never-resolvable host: requests to it go to the in-process sandbox.
IN_PROCESS_HOST = "sandbox.invalid"
SANDBOX_BASE_URLS = {
    "square": f"http://{IN_PROCESS_HOST}/{{business}}/square",
    "hubspot": f"http://{IN_PROCESS_HOST}/{{business}}/hubspot",
    "xero": f"http://{IN_PROCESS_HOST}/{{business}}/xero/api.xro/2.0",
}
LIVE_BASE_URLS = {
    "square": "https://connect.squareup.com",
    "hubspot": "https://api.hubapi.com",
    "xero": "https://api.xero.com/api.xro/2.0",
}


def reference_dir() -> Path:
    """The ops reference CSVs: BACKBONE_REFERENCE_DIR, else the repository's reference/."""
    override = os.environ.get("BACKBONE_REFERENCE_DIR", "").strip()
    return Path(override).resolve() if override else REPO_ROOT / "reference"


def backbone_home() -> Path:
    return Path(os.environ.get("BACKBONE_HOME", ".backbone")).resolve()


SANDBOX_STATE_ENV = "BACKBONE_SANDBOX_STATE"


def use_sandbox_state_under_home() -> None:
    """`backbone run` / `demo` on the simulator keep its vendor state (what was written to
    HubSpot and Xero) in the home, as a real portal would keep it between runs: a second demo
    then finds its lists, properties and drafts there. An explicit BACKBONE_SANDBOX_STATE wins."""
    if source_mode() == "sandbox" and not os.environ.get(SANDBOX_STATE_ENV):
        os.environ[SANDBOX_STATE_ENV] = str(backbone_home() / "sandbox-state.pickle")


def warehouse_path() -> Path:
    return backbone_home() / "warehouse.duckdb"


def scorecard_path() -> Path:
    return backbone_home() / "scorecard.duckdb"


def audit_export_dir() -> Path:
    return backbone_home() / "exports" / "audit"


def ledger_export_path() -> Path:
    return backbone_home() / "exports" / "ledger.beancount"


def scorecard_html_path() -> Path:
    return backbone_home() / "exports" / "scorecard.html"


CREDENTIAL_VARIABLES = ("SQUARE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "XERO_ACCESS_TOKEN")
# Any variable named like a credential is treated as one (DAGSTER_PG_PASSWORD, a future API key).
_SECRET_SUFFIXES = ("_ACCESS_TOKEN", "_TOKEN", "_SECRET", "_PASSWORD", "_API_KEY")


def secret_values() -> list[str]:
    """The values of every configured secret, to be redacted wherever Backbone writes text."""
    return [
        value
        for name, value in os.environ.items()
        if name in CREDENTIAL_VARIABLES or name.upper().endswith(_SECRET_SUFFIXES)
        if value.strip()
    ]


def source_mode() -> str:
    """`sandbox` (the default, so a fresh clone runs offline) or `live`.

    Never silently the simulator for someone who meant live: with vendor credentials in the
    environment, BACKBONE_SOURCE must say which world to use.
    """
    raw = os.environ.get("BACKBONE_SOURCE", "").strip().lower()
    if not raw:
        present = [name for name in CREDENTIAL_VARIABLES if os.environ.get(name)]
        if present:
            raise ValueError(
                f"{', '.join(present)} set but BACKBONE_SOURCE is not: set BACKBONE_SOURCE=live "
                "to use those accounts, or BACKBONE_SOURCE=sandbox for the bundled simulator"
            )
        return "sandbox"
    if raw not in {"sandbox", "live"}:
        raise ValueError(f"BACKBONE_SOURCE must be 'sandbox' or 'live', not {raw!r}")
    return raw


def selected_businesses() -> list[str] | None:
    """BACKBONE_BUSINESSES=cafe,studio narrows a run; unset means every business in reference/."""
    raw = os.environ.get("BACKBONE_BUSINESSES", "").strip()
    return [b.strip() for b in raw.split(",") if b.strip()] or None


def max_field_bytes() -> int | None:
    """BACKBONE_MAX_FIELD_BYTES: a fetched record with a longer text field is dead-lettered
    instead of landed (unset: pipeline/extraction/oversized.py's 64 KiB default)."""
    raw = os.environ.get("BACKBONE_MAX_FIELD_BYTES", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(
            f"BACKBONE_MAX_FIELD_BYTES must be a positive number of bytes, not {raw!r}"
        )
    return int(raw)


RETENTION_VARIABLE = "BACKBONE_RAW_RETENTION_DAYS"
DEFAULT_RAW_RETENTION_DAYS = 730


def raw_retention_days() -> int:
    """BACKBONE_RAW_RETENTION_DAYS: raw payloads landed longer ago than this are purged of PII
    (two years unless set; the accounting rules need amounts and dates, never people)."""
    raw = os.environ.get(RETENTION_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_RAW_RETENTION_DAYS
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{RETENTION_VARIABLE} must be a positive number of days, not {raw!r}")
    return int(raw)


NOW_VARIABLE = "BACKBONE_NOW"


def pipeline_clock() -> datetime | None:
    """BACKBONE_NOW as an aware UTC instant, or None when unset (then the world's clock rules).

    ISO 8601 with or without an offset; a naive value is UTC, and a bare date means 12:00 UTC
    that day, as BACKBONE_SANDBOX_NOW reads it, so one value can set both. Truncated to whole
    milliseconds like the simulator's clock, so a stamp and the simulator's `now` are equal.
    """
    raw = os.environ.get(NOW_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            value = datetime.combine(date.fromisoformat(raw), time(12, 0), tzinfo=UTC)
        else:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{NOW_VARIABLE}={raw!r} is not an ISO 8601 instant (e.g. 2026-11-20T12:00:00Z; "
            "no offset means UTC)"
        ) from None
    value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


FIRST_DATE_VARIABLE = "BACKBONE_FIRST_BUSINESS_DATE"


def first_business_date_override() -> date | None:
    """BACKBONE_FIRST_BUSINESS_DATE (YYYY-MM-DD): where daily partitions start, instead of the
    earliest `first_business_date` of reference/businesses.csv; unset, the reference decides."""
    raw = os.environ.get(FIRST_DATE_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"{FIRST_DATE_VARIABLE}={raw!r} is not a date (YYYY-MM-DD, e.g. 2026-11-01)"
        ) from None
