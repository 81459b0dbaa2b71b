#!/usr/bin/env python3
"""Compile every Kefu translation catalog (kefu/**/locale/*/LC_MESSAGES/django.po) to its .mo file.

Pure Python (polib), so no GNU gettext is needed to build. Fuzzy and obsolete entries are left out,
like msgfmt does. A catalog that does not parse, or whose translations use placeholders their source
text does not have (which would raise KeyError or TypeError at run time), fails the build.

Only catalogs newer than their .mo are compiled, unless --force is given.
Usage: python scripts/compile_messages.py [--force] [--quiet] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
# %(name)s, %s, %d, %.2f … ; "%%" is a literal percent sign and not a placeholder.
PERCENT_RE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)
BRACE_RE = re.compile(r"(?<!\{)\{(?P<name>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")


def find_catalogs(root: Path) -> list[Path]:
    """All django.po files under the package, in a stable order."""
    return sorted(root.glob("kefu/**/locale/*/LC_MESSAGES/django.po"))


def percent_placeholders(text: str) -> tuple[set[str], list[str]]:
    """Named placeholders and the sequence of positional conversions of a %-format string."""
    named: set[str] = set()
    positional: list[str] = []
    for match in PERCENT_RE.finditer(text):
        if match["conv"] == "%":
            continue
        if match["name"] is not None:
            named.add(match["name"])
        else:
            positional.append(match["conv"])
    return named, positional


def brace_placeholders(text: str) -> set[str]:
    return {match["name"] for match in BRACE_RE.finditer(text.replace("{{", "").replace("}}", ""))}


def translations_of(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [text for text in entry.msgstr_plural.values() if text]
    return [entry.msgstr] if entry.msgstr else []


def check_entry(entry: polib.POEntry) -> list[str]:
    """Problems of one translated entry: placeholders the source text does not provide."""
    problems: list[str] = []
    sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
    if "python-format" in entry.flags:
        source_named: set[str] = set()
        source_positional: list[str] = []
        for source in sources:
            named, positional = percent_placeholders(source)
            source_named |= named
            source_positional = source_positional or positional
        for text in translations_of(entry):
            named, positional = percent_placeholders(text)
            if named - source_named:
                problems.append(f"unknown placeholder(s) {sorted(named - source_named)} in {text!r}")
            if positional and positional != source_positional:
                problems.append(f"placeholders {positional} do not match {source_positional} in {text!r}")
    if "python-brace-format" in entry.flags:
        source_names = set().union(*(brace_placeholders(source) for source in sources))
        for text in translations_of(entry):
            unknown = brace_placeholders(text) - source_names
            if unknown:
                problems.append(f"unknown placeholder(s) {sorted(unknown)} in {text!r}")
    return problems


def compile_catalog(po_path: Path) -> list[str]:
    """Write the .mo next to the .po; return the problems found (nothing is written when there are any)."""
    try:
        catalog = polib.pofile(str(po_path), encoding="utf-8", check_for_duplicates=True)
    except (OSError, ValueError) as exc:
        return [f"cannot parse: {exc}"]
    problems = [
        f"line {entry.linenum}: msgid {entry.msgid!r}: {problem}"
        for entry in catalog.translated_entries()
        for problem in check_entry(entry)
    ]
    if not problems:
        # Write aside, then rename: a process reading the catalog never sees half a file.
        mo_path = po_path.with_suffix(".mo")
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.tmp")
        catalog.save_as_mofile(str(partial))
        os.replace(partial, mo_path)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="compile even catalogs whose .mo is up to date")
    parser.add_argument("--root", type=Path, default=ROOT, help="project root (default: this checkout)")
    parser.add_argument("--quiet", action="store_true", help="print only problems")
    args = parser.parse_args(argv)

    failed = compiled = 0
    for po_path in find_catalogs(args.root):
        mo_path = po_path.with_suffix(".mo")
        if not args.force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        problems = compile_catalog(po_path)
        shown = po_path.relative_to(args.root) if po_path.is_relative_to(args.root) else po_path
        if problems:
            failed += 1
            for problem in problems:
                sys.stderr.write(f"{shown}: {problem}\n")
        else:
            compiled += 1
            if not args.quiet:
                sys.stdout.write(f"compiled {shown}\n")
    if failed:
        sys.stderr.write(f"compile_messages: {failed} catalog(s) have errors\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
