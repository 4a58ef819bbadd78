from decimal import Decimal

import pytest

from pipeline.kernel.money import to_cents, to_decimal


def test_round_trip_is_exact():
    for cents in (0, 1, -1, 99, 100, 123456789012):
        assert to_cents(to_decimal(cents)) == cents
    assert str(to_decimal(-5)) == "-0.05"


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_cents(0.1)


def test_half_up():
    assert to_cents(Decimal("0.005")) == 1
