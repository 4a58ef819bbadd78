"""GTIN check digits: the pure rule, and the SQL macro core.products uses agreeing with it."""

import random

import duckdb
import pytest

from pipeline.reference.catalog import gtin_check_digit, gtin_problem, is_valid_gtin
from pipeline.store.schema import migrate

# Real, published codes: GTIN-8, UPC-A (GTIN-12), EAN-13 (GTIN-13), GTIN-14.
VALID = ["96385074", "036000291452", "4006381333931", "00012345600012", "0850001234566"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code):
    assert is_valid_gtin(code)
    assert gtin_check_digit(code[:-1]) == int(code[-1])


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("036000291453", "check digit 3 should be 2"),
        ("4006381333932", "check digit 2 should be 1"),
        ("96385075", "check digit 5 should be 4"),
        ("0360002914", "10 digits (a GTIN has 8, 12, 13 or 14)"),
        ("03600029145X", "not all digits"),
        ("", "not all digits"),
        ("٠٣٦٠٠٠٢٩١٤٥٢", "not all digits"),  # Arabic-Indic digits are digits, not GTINs
    ],
)
def test_bad_codes_say_why(code, problem):
    assert gtin_problem(code) == problem
    assert not is_valid_gtin(code)


def test_a_single_transposition_is_caught():
    # Swapping two adjacent different digits changes the weighted sum by 2x their difference.
    assert not is_valid_gtin("030600291452")


def test_sql_macro_agrees_with_python():
    rng = random.Random(5)
    codes = [*VALID, "", "1234567", "abcdefgh", "036000291453"]
    for length in (8, 12, 13, 14):
        for _ in range(200):
            codes.append("".join(rng.choice("0123456789") for _ in range(length)))
    con = duckdb.connect()
    migrate(con)
    got = dict(
        con.execute(
            "SELECT code, gtin_valid(code) FROM (SELECT unnest(?) AS code)", [codes]
        ).fetchall()
    )
    assert got == {code: is_valid_gtin(code) for code in codes}
    assert sum(got.values()) > 50  # about a tenth of random codes are valid: both sides tested
    assert con.execute("SELECT gtin_valid(NULL)").fetchone()[0] is False
