"""Catalog rules that need no warehouse: GTIN barcodes.

A barcode with a wrong check digit is a typo or a made-up number; scanning it would find the
wrong product or none, so the catalog never uses one silently.
"""

from __future__ import annotations

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of a GTIN without its last digit (weights 3,1,3,... from the right)."""
    if not body.isdigit():
        raise ValueError(f"GTIN body must be digits, got {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(code: str) -> str | None:
    """Why `code` is not a valid GTIN-8/12/13/14, or None if it is."""
    if not code.isascii() or not code.isdigit():
        return "not all digits"
    if len(code) not in GTIN_LENGTHS:
        return f"{len(code)} digits (a GTIN has 8, 12, 13 or 14)"
    expected = gtin_check_digit(code[:-1])
    if int(code[-1]) != expected:
        return f"check digit {code[-1]} should be {expected}"
    return None


def is_valid_gtin(code: str) -> bool:
    return gtin_problem(code) is None
