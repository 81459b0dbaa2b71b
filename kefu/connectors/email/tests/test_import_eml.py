"""`kefu import_eml`: raw .eml files go through the same pipeline as fetched mail, one JSON line per file."""

import json

import pytest
from django.core.management import CommandError, call_command

from kefu.connectors.email.models import ProcessedMail, QuarantinedMail
from kefu.tickets.models import Ticket

from .factories import MailboxFactory
from .mails import build_mail

pytestmark = pytest.mark.django_db

KEYS = {"file", "ticket", "subject", "from_name", "from_address", "text", "attachments", "warnings", "error"}


def _run(capsys, *args) -> list[dict]:
    call_command("import_eml", *[str(a) for a in args])
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_folder_is_imported_recursively_with_one_json_line_per_file(tmp_path, capsys, front_line):
    """Given a folder tree with a good mail, a reply to it and a broken file, when imported into a mailbox, then
    each file prints one line with every key, the reply threads, and the broken one is quarantined."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.eml").write_bytes(
        build_mail(
            message_id="<imp1@example.com>",
            attachments=(("发票.pdf", b"%PDF-1.4", "application/pdf"),),
        )
    )
    (tmp_path / "sub" / "b.eml").write_bytes(
        build_mail(subject="Re: 打印机坏了", message_id="<imp2@example.com>", references="<imp1@example.com>")
    )
    (tmp_path / "sub" / "c.eml").write_bytes(b"Subject: no sender\r\n\r\nbody\r\n")
    mailbox = MailboxFactory(name="support", team=front_line)

    lines = _run(capsys, "--mailbox", "support", tmp_path)

    assert [line["file"] for line in lines] == [
        str(tmp_path / "a.eml"),
        str(tmp_path / "sub" / "b.eml"),
        str(tmp_path / "sub" / "c.eml"),
    ]
    assert all(set(line) == KEYS for line in lines)
    first, reply, broken = lines
    assert first["ticket"] == reply["ticket"] and first["ticket"] is not None
    assert (first["subject"], first["from_name"], first["from_address"]) == (
        "打印机坏了",
        "张三",
        "zhang@example.com",
    )
    assert first["text"] == "你好，打印机不能用了。"
    assert first["attachments"] == ["发票.pdf"] and first["error"] is None and first["warnings"] == []
    assert broken["ticket"] is None and "no sender address" in broken["error"]
    assert Ticket.objects.get().team == front_line
    assert ProcessedMail.objects.filter(mailbox=mailbox).count() == 2
    assert QuarantinedMail.objects.get().mailbox == mailbox


def test_importing_twice_stores_nothing_new(tmp_path, capsys):
    """Given a file imported once, when imported again, then it reports the same ticket and adds no message."""
    path = tmp_path / "once.eml"
    path.write_bytes(build_mail(message_id="<again@example.com>"))
    first = _run(capsys, path)
    second = _run(capsys, path)
    assert first[0]["ticket"] == second[0]["ticket"]
    assert Ticket.objects.get().messages.count() == 1


def test_oversized_file_is_quarantined_with_its_headers_only(tmp_path, capsys, settings):
    """Given a file over EMAIL_MAX_MAIL_BYTES, then it is not read whole: its headers go to quarantine."""
    settings.EMAIL_MAX_MAIL_BYTES = 1000
    path = tmp_path / "big.eml"
    path.write_bytes(build_mail(subject="huge", text="x" * 5000))
    [line] = _run(capsys, path)
    assert line["ticket"] is None and "exceeds" in line["error"] and line["subject"] == "huge"
    assert b"xxxx" not in bytes(QuarantinedMail.objects.get().raw)


def test_usage_errors_exit_non_zero(tmp_path):
    """Given an unknown mailbox or a missing path, then the command fails before importing anything."""
    (tmp_path / "a.eml").write_bytes(build_mail())
    with pytest.raises(CommandError, match="no mailbox"):
        call_command("import_eml", "--mailbox", "nope", str(tmp_path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_eml", str(tmp_path / "missing.eml"))
    assert not Ticket.objects.exists()
