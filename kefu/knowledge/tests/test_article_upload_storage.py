"""Article files and their rows: a failed upload leaves no file behind, a committed one keeps every file, and
no row ever points at a file that was not stored. (A rollback of an enclosing transaction after a successful
upload leaves orphan files without rows: harmless, and documented in the service.)"""

import gc

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
def test_a_rolled_back_enclosing_transaction_leaves_no_row_pointing_at_a_file(editor, stored_names):
    """Given an upload inside a larger transaction, when that transaction rolls back after the upload
    succeeded, then no row remains (the files may stay on disk as orphans nothing links to)."""
    article = services.create_article(actor=editor, title="t")

    with pytest.raises(RuntimeError), transaction.atomic():
        services.add_article_attachments(actor=editor, article=article, files=_files())
        raise RuntimeError("something later in the same transaction failed")

    assert not ArticleAttachment.objects.exists()
    assert len(stored_names) == 3


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


@pytest.mark.django_db(transaction=True)
def test_a_failing_earlier_commit_callback_does_not_delete_the_files_of_committed_rows(editor, stored_names):
    """Given another on-commit callback, registered before the upload, that raises after COMMIT (so Django
    drops the callbacks after it), when the transaction commits, then the committed rows keep their files."""
    article = services.create_article(actor=editor, title="t")

    def broken_listener():
        raise RuntimeError("a listener failed after commit")

    with pytest.raises(RuntimeError), transaction.atomic():
        transaction.on_commit(broken_listener)
        services.add_article_attachments(actor=editor, article=article, files=_files())
    gc.collect()

    assert ArticleAttachment.objects.count() == 3
    assert all(default_storage.exists(a.file.name) for a in ArticleAttachment.objects.all())


@pytest.mark.django_db(transaction=True)
def test_a_storage_error_deleting_a_file_does_not_stop_later_commit_callbacks(editor, monkeypatch):
    """Given storage that fails to delete, when an attachment is deleted, then the commit still completes
    and the on-commit callbacks registered after the file deletion still run."""
    article = services.create_article(actor=editor, title="t")
    [attachment] = services.add_article_attachments(
        actor=editor, article=article, files=[ContentFile(b"hello", name="a.txt")]
    )

    def failing_delete(self, name):
        raise OSError("storage unreachable")

    monkeypatch.setattr(FileSystemStorage, "delete", failing_delete)
    ran = []
    with transaction.atomic():
        services.delete_article_attachment(actor=editor, attachment=attachment)
        transaction.on_commit(lambda: ran.append(True))

    assert ran == [True]
    assert not ArticleAttachment.objects.exists()
