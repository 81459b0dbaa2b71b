"""Personal data at rest: EncryptedTextField stores ciphertext, the lookup hash is stable and keyed."""

import pytest
from django.db import connection

from kefu.core.crypto import EncryptedTextField, decrypt, encrypt, lookup_hash
from kefu.customers.models import Customer


@pytest.mark.django_db
def test_the_column_holds_ciphertext_and_python_sees_plain_text():
    # given a customer with an ID number
    customer = Customer.objects.create(name="王小明", id_number="110101199003074514")

    # when the raw column is read
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Customer._meta.db_table} WHERE id = %s", [customer.pk])
        (stored,) = cursor.fetchone()

    # then it is not the number, but decrypts to it, and the ORM gives the plain value back
    assert "110101199003074514" not in stored
    assert decrypt(stored) == "110101199003074514"
    assert Customer.objects.get(pk=customer.pk).id_number == "110101199003074514"


@pytest.mark.django_db
def test_empty_values_stay_empty_in_the_column():
    customer = Customer.objects.create(name="No ID")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Customer._meta.db_table} WHERE id = %s", [customer.pk])
        (stored,) = cursor.fetchone()

    assert stored == ""


def test_encrypting_twice_gives_different_tokens_for_the_same_value():
    assert encrypt("13800138000") != encrypt("13800138000")


def test_a_token_from_another_key_reads_as_empty_instead_of_crashing(settings):
    token = encrypt("13800138000")

    settings.FIELD_ENCRYPTION_KEY = "another key entirely"

    assert decrypt(token) == ""
    assert decrypt("not a token at all") == ""


def test_lookup_hash_is_stable_and_depends_on_the_key(settings):
    first = lookup_hash("user@example.com")

    assert lookup_hash("user@example.com") == first
    assert lookup_hash("other@example.com") != first
    assert len(first) == 64

    settings.FIELD_ENCRYPTION_KEY = "another key entirely"
    assert lookup_hash("user@example.com") != first


def test_the_field_round_trips_through_prep_and_from_db():
    field = EncryptedTextField()

    token = field.get_prep_value("secret")

    assert token != "secret"
    assert field.from_db_value(token, None, connection) == "secret"
    assert field.get_prep_value("") == ""
    assert field.from_db_value(None, None, connection) is None
