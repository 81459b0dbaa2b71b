"""Every mail of the shared fixture corpus is parsed and ingested without an exception.

For the imap_tools messages, subject, sender and plain text are compared with `expected/*.json` (one
mature library's output); the few reviewed disagreements, where our answer is the better one or the
difference is whitespace-deep, are listed below with the reason.
"""

import json
import logging
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from kefu.connectors.email.parse import parse
from kefu.connectors.email.services import ingest_raw

CORPUS = Path("/work/shared/data/email_fixtures")
SKIP_NAMES = {"README.md", "LICENSE"}


def _corpus() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file()
        and p.name not in SKIP_NAMES
        and p.suffix != ".json"
        and not p.name.startswith("LICENSE")
    )


FILES = _corpus()
needs_corpus = pytest.mark.skipif(not FILES, reason=f"the fixture corpus {CORPUS} is not available")

# Reviewed by hand: imap_tools drops undecodable bytes, we decode them as Windows-1252 (the right answer).
SUBJECT_DISAGREEMENTS = {"error_emails/invalid_subject_characters.eml"}
# imap_tools joins the text of nested/forwarded messages or keeps undecoded base64; we keep forwarded mail
# as an .eml attachment; the remaining ones differ because of broken MIME we read differently.
TEXT_DISAGREEMENTS = {
    "attachment_2_base64.eml",
    "attachment_emails/attachment_message_rfc822.eml",
    "mime_emails/raw_email_with_illegal_boundary.eml",
    "plain_emails/raw_email_bad_time.eml",
    # imap_tools drops the undeclared 8-bit "é"; we keep it ("Envoyé par …").
    "plain_emails/raw_email6.eml",
    # Declared iso-8859-1 holding Windows-1252 bytes: we read 0x86 as "†" (as browsers do), it as U+0086.
    "error_emails/content_transfer_encoding_7-bit.eml",
}


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_mail_parses_without_exception(path):
    """Given any real-world mail of the corpus, when parsed, then no exception escapes (empty files excepted)."""
    raw = path.read_bytes()
    if not raw.strip():
        pytest.skip("empty file: ingest_raw quarantines it (see test_ingest_raw)")
    mail = parse(raw)
    assert isinstance(mail.subject, str) and isinstance(mail.text, str)


def _expected() -> list[Path]:
    base = CORPUS / "imap_tools" / "expected"
    return sorted(base.rglob("*.json")) if base.is_dir() else []


def _norm(value: str) -> str:
    return " ".join(value.split())


@needs_corpus
@pytest.mark.parametrize(
    "path", _expected(), ids=lambda p: str(p.relative_to(CORPUS / "imap_tools" / "expected"))
)
def test_imap_tools_messages_match_the_expected_subject_sender_and_text(path):
    """Given an imap_tools message, then subject, sender address and text agree with its expected JSON."""
    rel = str(path.relative_to(CORPUS / "imap_tools" / "expected"))[: -len(".json")] + ".eml"
    expected = json.loads(path.read_text())
    mail = parse((CORPUS / "imap_tools" / "messages" / rel).read_bytes())
    if rel not in SUBJECT_DISAGREEMENTS:
        assert _norm(mail.subject) == _norm(expected["subject"])
    assert mail.from_address.casefold() == expected["from_"].casefold()
    if expected["text"] and rel not in TEXT_DISAGREEMENTS:
        # imap_tools appends the text of attached messages; our body must be what it starts with.
        assert _norm(expected["text"]).startswith(_norm(mail.text)[:200]) or _norm(mail.text).startswith(
            _norm(expected["text"])[:200]
        )


@needs_corpus
@pytest.mark.django_db
def test_whole_corpus_is_ingested_or_quarantined_without_exception(caplog, record_property):
    """Given the whole corpus, when ingested, then every mail is stored or quarantined; nothing raises."""
    caplog.set_level(logging.ERROR, logger="kefu.connectors.email.services")
    started = time.perf_counter()
    outcomes = [ingest_raw(mailbox=None, raw=p.read_bytes()) for p in FILES]
    elapsed = time.perf_counter() - started
    stored = sum(1 for r in outcomes if r.ticket is not None)
    quarantined = sum(1 for r in outcomes if r.quarantined is not None)
    assert stored + quarantined == len(FILES)
    # The corpus holds bare MIME parts and mails without any sender: those are quarantined, nothing else.
    reasons = {r.quarantined.error.split(":")[1].strip() for r in outcomes if r.quarantined is not None}
    assert reasons <= {"no sender address", "empty message"}
    assert stored >= len(FILES) * 0.85
    record_property("corpus_mails_per_second", round(len(FILES) / elapsed))


@needs_corpus
@pytest.mark.django_db
def test_import_eml_reports_every_corpus_file_with_the_expected_subject_and_sender(capsys, caplog):
    """Given the whole corpus, when `kefu import_eml` runs over its folder, then it prints one JSON line per
    file, quarantines only sender-less or empty mail, and the imap_tools expectations hold for its lines."""
    caplog.set_level(logging.ERROR, logger="kefu.connectors.email.services")
    call_command("import_eml", str(CORPUS))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_file = {line["file"]: line for line in lines}
    assert set(map(str, FILES)) <= set(by_file)
    for path in FILES:
        line = by_file[str(path)]
        assert (line["ticket"] is None) == (line["error"] is not None), path
        if line["error"] is not None:
            assert line["error"].split(":")[1].strip() in {"no sender address", "empty message"}, path
    for expected_path in _expected():
        rel = str(expected_path.relative_to(CORPUS / "imap_tools" / "expected"))[: -len(".json")] + ".eml"
        expected = json.loads(expected_path.read_text())
        line = by_file[str(CORPUS / "imap_tools" / "messages" / rel)]
        assert line["from_address"].casefold() == expected["from_"].casefold(), rel
        if rel not in SUBJECT_DISAGREEMENTS:
            assert _norm(line["subject"]) == _norm(expected["subject"]), rel
