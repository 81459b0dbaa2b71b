"""`.env.example` documents every environment variable settings.py reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
READ_RE = re.compile(r"env_(?:str|bool|int|list)\(\s*\"([A-Z][A-Z0-9_]*)\"")
DOCUMENTED_RE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def test_every_variable_settings_reads_is_in_env_example():
    # given the variables settings.py reads and the ones .env.example lists
    read = set(READ_RE.findall((ROOT / "kefu/config/settings.py").read_text()))
    documented = set(DOCUMENTED_RE.findall((ROOT / ".env.example").read_text()))

    # then none is missing (add a commented line with its default to .env.example)
    assert read, "no env_*() calls found: has settings.py moved?"
    assert sorted(read - documented) == []
