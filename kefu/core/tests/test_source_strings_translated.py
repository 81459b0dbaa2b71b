"""Every string the Python code marks for translation reads in Chinese at run time.

The catalogs' own test (workspace/tests/test_translations.py) sees only what `makemessages` extracted; a
call it cannot see (xgettext skips calls inside f-strings) silently shows English on Chinese pages. This
reads the source itself."""

import ast
import re
from pathlib import Path

import polib
from django.utils import translation

KEFU = Path(__file__).resolve().parents[2]
SINGLE = {"_", "gettext", "gettext_lazy", "_lazy", "gettext_noop"}
CONTEXT = {"pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _marked_strings():
    for path in sorted(KEFU.rglob("*.py")):
        parts = path.relative_to(KEFU).parts
        if "tests" in parts or "migrations" in parts or parts[0] == "locale":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            if name in SINGLE or name in PLURAL:
                text, context = _literal(node.args[0]), None
            elif name in CONTEXT and len(node.args) > 1:
                text, context = _literal(node.args[1]), _literal(node.args[0])
            else:
                continue
            if text and any(c.isascii() and c.isalpha() for c in text):
                yield f"{path.relative_to(KEFU)}:{node.lineno}", text, context


def _translated_in_catalogs() -> set[tuple[str | None, str]]:
    """(context, msgid) of every translated entry: a msgstr may rightly equal its msgid ("SLA", "VIP")."""
    found = set()
    for catalog in KEFU.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(catalog)):
            if not entry.obsolete and (entry.msgstr or any(entry.msgstr_plural.values())):
                found.add((entry.msgctxt, entry.msgid))
    return found


def test_every_marked_string_in_the_code_is_translated_into_chinese():
    known = _translated_in_catalogs()
    missing = []
    with translation.override("zh-hans"):
        for where, text, context in _marked_strings():
            shown = translation.pgettext(context, text) if context else translation.gettext(text)
            if shown == text and (context, text) not in known:
                missing.append(f"{where}: {text!r}")

    assert missing == []


TEMPLATE_TAG = re.compile(
    r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?[^%]*%}"""
)


def _template_strings():
    for path in sorted(KEFU.rglob("templates/**/*.html")):
        if "tests" in path.relative_to(KEFU).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in TEMPLATE_TAG.finditer(line):
                text, context = match.group(2), match.group(4)
                if any(c.isascii() and c.isalpha() for c in text):
                    yield f"{path.relative_to(KEFU)}:{number}", text, context


def test_every_translate_tag_in_the_templates_is_translated_into_chinese():
    known = _translated_in_catalogs()
    missing = []
    with translation.override("zh-hans"):
        for where, text, context in _template_strings():
            shown = translation.pgettext(context, text) if context else translation.gettext(text)
            if shown == text and (context, text) not in known:
                missing.append(f"{where}: {text!r}")

    assert missing == []
