import pytest

from pipeline.kernel import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("JANE@EXAMPLE.ORG", "jane@example.org"),
        ("not an email", None),
        ("", None),
        (None, None),
    ],
)
def test_email(raw, expected):
    assert normalize.email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["(206) 482-1937", "206.482.1937", "+1 206 482 1937", "2064821937", "1-206-482-1937"]
)
def test_phone_formats_agree_on_e164(raw):
    assert normalize.phone(raw, "US") == "+12064821937"


@pytest.mark.parametrize("raw", ["0000000000", "555", "", None, "n/a"])
def test_phone_rejects_junk(raw):
    assert normalize.phone(raw, "US") is None


def test_phone_uses_default_region():
    assert normalize.phone("020 7946 0958", "GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["LOY-004512", "loy4512", "4512", " loy-4512 "])
def test_loyalty_ids_written_differently_agree(raw):
    assert normalize.loyalty_id(raw) == "LOY-004512"


def test_loyalty_zero_is_no_id():
    assert normalize.loyalty_id("0000") is None


def test_generic_mailboxes():
    assert normalize.is_generic_email("info@shop.example.com")
    assert not normalize.is_generic_email("maria@shop.example.com")


def test_masking_keeps_nothing_identifying():
    assert normalize.mask_email("jane.doe@example.com") == "j***@example.com"
    assert normalize.mask_phone("+12064821937") == "***37"


def test_free_text_is_masked():
    text = normalize.mask_text("dup: jane.doe@example.com, +1 (206) 482-1937, order 12345")
    assert "jane.doe" not in text and "482-1937" not in text
    assert "order 12345" in text
