"""Personal data is masked for display: phones as 138****5678, e-mails keep the first letter and domain."""

import pytest

from kefu.customers.rules import mask_email, mask_id_number, mask_phone, normalize_identity


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), ("+8613812345678", "+86*******5678"), ("12345", "1****"), ("", "")],
)
def test_phone_keeps_first_three_and_last_four_digits(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("zhang.wei@example.com", "z***@example.com"), ("a@b.cn", "a***@b.cn")]
)
def test_email_keeps_first_letter_and_domain(value, masked):
    assert mask_email(value) == masked


def test_id_number_keeps_first_three_and_last_four():
    assert mask_id_number("110101199003071234") == "110***********1234"


@pytest.mark.parametrize(
    ("kind", "raw", "normalized"),
    [
        ("email", " Zhang@Example.COM ", "zhang@example.com"),
        ("phone", "+86 138-1234-5678", "13812345678"),
        ("phone", "0086 13812345678", "13812345678"),
    ],
)
def test_identities_are_normalized_for_lookup(kind, raw, normalized):
    assert normalize_identity(kind, raw) == normalized
