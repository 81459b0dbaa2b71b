"""Database connections are kept between requests on SQLite as on PostgreSQL: opening one per request (and
running SQLite's pragmas) cost an API create ~1.3 ms of CPU and ~3 ms in all."""

import importlib.util
from pathlib import Path

import pytest

import kefu.config

SETTINGS_FILE = Path(kefu.config.__file__).parent / "settings.py"


def _settings_for(monkeypatch, tmp_path, **environ):
    """A fresh copy of kefu.config.settings read with the given environment (the running one is untouched)."""
    monkeypatch.setenv("KEFU_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("kefu.config._settings_probe", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "url",
    ["sqlite:///{tmp}/kefu.sqlite3", "postgres://kefu@127.0.0.1:5432/kefu"],
    ids=["sqlite", "postgresql"],
)
def test_connections_are_kept_between_requests_by_default(monkeypatch, tmp_path, url):
    settings = _settings_for(monkeypatch, tmp_path, DATABASE_URL=url.format(tmp=tmp_path))

    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 60


def test_sqlite_keeps_its_pragmas_and_honours_db_conn_max_age(monkeypatch, tmp_path):
    settings = _settings_for(
        monkeypatch, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/kefu.sqlite3", DB_CONN_MAX_AGE="0"
    )

    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 0
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
