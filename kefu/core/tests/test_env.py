"""The typed environment helpers behind settings.py: sensible defaults, loud failures on nonsense."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from kefu.config.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("FALSE", False), ("", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("KEFU_TEST_FLAG", raw)

    assert env_bool("KEFU_TEST_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("KEFU_TEST_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="KEFU_TEST_FLAG must be true or false, not 'maybe'"):
        env_bool("KEFU_TEST_FLAG", False)


def test_unset_variables_give_the_default(monkeypatch):
    for name in ("KEFU_TEST_FLAG", "KEFU_TEST_INT", "KEFU_TEST_LIST", "KEFU_TEST_STR"):
        monkeypatch.delenv(name, raising=False)

    assert env_bool("KEFU_TEST_FLAG", True) is True
    assert env_int("KEFU_TEST_INT", 42) == 42
    assert env_list("KEFU_TEST_LIST", ["a"]) == ["a"]
    assert env_str("KEFU_TEST_STR", "x") == "x"


def test_env_int_parses_integers_and_treats_blank_as_unset(monkeypatch):
    monkeypatch.setenv("KEFU_TEST_INT", " 17 ")
    assert env_int("KEFU_TEST_INT", 0) == 17

    monkeypatch.setenv("KEFU_TEST_INT", "  ")
    assert env_int("KEFU_TEST_INT", 5) == 5


@pytest.mark.parametrize("raw", ["ten", "1.5", "8000x"])
def test_env_int_refuses_non_integers_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("KEFU_TEST_INT", raw)

    with pytest.raises(ImproperlyConfigured, match=f"KEFU_TEST_INT must be an integer, not '{raw}'"):
        env_int("KEFU_TEST_INT", 0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("KEFU_TEST_LIST", " kefu.example.com, ,localhost ,")

    assert env_list("KEFU_TEST_LIST", ["default"]) == ["kefu.example.com", "localhost"]


def test_env_list_set_but_empty_means_an_empty_list(monkeypatch):
    monkeypatch.setenv("KEFU_TEST_LIST", "")

    assert env_list("KEFU_TEST_LIST", ["default"]) == []


def test_an_empty_database_url_means_the_embedded_sqlite_database(tmp_path):
    """`DATABASE_URL=` (exported but empty) falls back to SQLite instead of failing on an unknown scheme."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": "", "KEFU_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kefu.config.settings"}
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
