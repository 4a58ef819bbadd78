"""`backbone audit verify`: walk ops.audit_log's hash chain, then compare it with its exports."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="check the tamper-evident audit trail")
    verbs = audit.add_subparsers(dest="verb", required=True)
    verify = verbs.add_parser(
        "verify",
        help="check ops.audit_log's hash chain; exit 1 naming the first bad row",
        description="Walk ops.audit_log in sequence order and recompute each row's hash; then "
        "check that every row exported to exports/audit/ is still in the warehouse, unchanged.",
    )
    verify.add_argument(
        "--home", type=Path, default=None, help="BACKBONE_HOME (default ./.backbone)"
    )


def main(args: argparse.Namespace) -> int:
    from pipeline.settings import audit_export_dir, warehouse_path
    from pipeline.store import audit
    from pipeline.store.audit_export import check_against_exports
    from pipeline.store.connection import open_duckdb

    if args.home is not None:
        os.environ["BACKBONE_HOME"] = str(args.home.resolve())
    path = warehouse_path()
    if not path.exists():
        raise SystemExit(f"backbone audit verify: no warehouse at {path} (set --home)")
    # Read-write so an older warehouse is migrated (chained) first; waits for a running job.
    con = open_duckdb(path)
    try:
        checked, broken = audit.verify(con)
        exports = audit_export_dir()
        broken = broken or check_against_exports(con, exports)
    finally:
        con.close()
    if broken:
        print(f"backbone audit verify: FAILED at {broken}", file=sys.stderr)
        return 1
    print(f"backbone audit verify: {checked} rows, chain intact; exports in {exports} agree")
    return 0
