"""`backbone sql`: a SQL shell on the analysts' scorecard.duckdb (or any DuckDB file).

Why not the `duckdb` command: the only one on PyPI (`duckdb-cli`, 1.5.6 at the time of writing)
reads storage versions up to 68 and the pinned duckdb 2.0.0 writes 69, so on a fresh machine it
refuses the file. This shell is the pinned duckdb Python package itself, so it opens whatever
the pipeline wrote. Read-only: it can run while the pipeline swaps in a new file.

  backbone sql                       interactive; statements end with ';', .quit or Ctrl-D ends
  backbone sql -c "SELECT ..."       run and print, exit 1 on an error
  echo "SELECT ...;" | backbone sql  a script on stdin
  --csv                              comma-separated output (a header line, then rows)
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path
from typing import TextIO


def add_parser(sub) -> None:
    sql = sub.add_parser("sql", help="SQL shell on scorecard.duckdb (read-only)")
    sql.add_argument(
        "file", nargs="?", type=Path, default=None, help="default $BACKBONE_HOME/scorecard.duckdb"
    )
    sql.add_argument("-c", "--command", dest="sql", default=None, help="SQL to run, then exit")
    sql.add_argument("--csv", action="store_true", help="print comma-separated values")


def _print(con, statement: str, as_csv: bool, out: TextIO) -> None:
    result = con.sql(statement)
    if result is None:  # DDL, SET ...: nothing to show
        return
    if as_csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.fetchall())
    else:
        width = shutil.get_terminal_size((160, 40)).columns
        result.show(max_width=width, max_rows=10_000)


def run(con, script: str, as_csv: bool, out: TextIO) -> bool:
    """Every statement of `script`, printed; False (after saying why) at the first error."""
    import duckdb

    try:
        for statement in con.extract_statements(script):
            _print(con, statement.query, as_csv, out)
    except duckdb.Error as error:
        print(f"error: {error}", file=sys.stderr)
        return False
    return True


def _interactive(con, as_csv: bool) -> None:
    buffer: list[str] = []
    while True:
        try:
            line = input("sql> " if not buffer else "...> ")
        except EOFError:
            print()
            return
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            return
        buffer.append(line)
        if line.rstrip().endswith(";"):
            run(con, "\n".join(buffer), as_csv, sys.stdout)
            buffer = []


def main(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.settings import scorecard_path

    path = args.file or scorecard_path()
    if not path.exists():
        print(f"backbone sql: {path} does not exist (run `make demo` first)", file=sys.stderr)
        return 2
    with duckdb.connect(str(path), read_only=True) as con:
        if args.sql is not None:
            return 0 if run(con, args.sql, args.csv, sys.stdout) else 1
        if sys.stdin.isatty():
            print(f"{path} (read-only). Tables: SELECT * FROM README; .quit ends.")
            _interactive(con, args.csv)
            return 0
        return 0 if run(con, sys.stdin.read(), args.csv, sys.stdout) else 1
