"""Article files and their rows live and die together: a failed upload or a rolled-back transaction leaves
no file behind, and no row ever points at a file that was not stored."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction

from kefu.core.demo.knowledge import png
from kefu.knowledge import services
from kefu.knowledge.models import ArticleAttachment

PNG = png(2, 2, lambda x, y: (10, 20, 30))


def _files():
    return [
        ContentFile(PNG, name="一.png"),
        ContentFile(b"hello", name="二.txt"),
        ContentFile(PNG, name="三.png"),
    ]


@pytest.fixture
def stored_names(monkeypatch):
    """The names the storage (the file system, as configured) really wrote, in order."""
    names = []
    real_save = FileSystemStorage._save

    def recording(self, name, content):
        names.append(real_save(self, name, content))
        return names[-1]

    monkeypatch.setattr(FileSystemStorage, "_save", recording)
    return names


@pytest.mark.django_db
def test_storage_failing_mid_upload_leaves_no_row_and_deletes_the_files_already_written(
    editor, stored_names, monkeypatch
):
    """Given storage that fails on the third file, when three files are uploaded, then no row is created and
    the two files already written are deleted again."""
    article = services.create_article(actor=editor, title="t")
    writing = FileSystemStorage._save

    def full_disk(self, name, content):
        if len(stored_names) == 2:
            raise OSError(28, "No space left on device")
        return writing(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)

    with pytest.raises(OSError):
        services.add_article_attachments(actor=editor, article=article, files=_files())

    assert not ArticleAttachment.objects.exists()
    assert len(stored_names) == 2 and not any(default_storage.exists(name) for name in stored_names)


@pytest.mark.django_db
def test_a_rolled_back_enclosing_transaction_deletes_the_stored_files(editor, stored_names):
    """Given an upload inside a larger transaction, when that transaction rolls back after the upload
    succeeded, then neither the rows nor the files remain."""
    article = services.create_article(actor=editor, title="t")

    with pytest.raises(RuntimeError), transaction.atomic():
        stored = services.add_article_attachments(actor=editor, article=article, files=_files())
        assert all(default_storage.exists(attachment.file.name) for attachment in stored)
        raise RuntimeError("something later in the same transaction failed")

    assert not ArticleAttachment.objects.exists()
    assert len(stored_names) == 3 and not any(default_storage.exists(name) for name in stored_names)


@pytest.mark.django_db
def test_a_failure_after_the_files_are_stored_deletes_them(editor, stored_names, monkeypatch):
    """Given the audit record failing after every file was written, then the upload leaves nothing behind."""
    article = services.create_article(actor=editor, title="t")

    def broken_record(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.add_article_attachments(actor=editor, article=article, files=_files())

    assert not ArticleAttachment.objects.exists()
    assert len(stored_names) == 3 and not any(default_storage.exists(name) for name in stored_names)


@pytest.mark.django_db(transaction=True)
def test_committed_uploads_keep_their_files(editor, stored_names):
    """Given an upload that commits, then every row's file is there to read."""
    article = services.create_article(actor=editor, title="t")

    stored = services.add_article_attachments(actor=editor, article=article, files=_files())

    assert [a.file.name for a in stored] == stored_names
    for attachment in ArticleAttachment.objects.all():
        with attachment.file.open("rb") as handle:
            assert handle.read() in (PNG, b"hello")
