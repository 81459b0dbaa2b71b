"""Every write to the knowledge base goes through these functions."""

import logging
import secrets
import uuid
from collections.abc import Iterable
from functools import cache

from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.accounts.permissions import is_active_staff
from kefu.audit.services import record
from kefu.core import clock
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.core.events import emit
from kefu.core.html import clean_html
from kefu.tickets.attachments import check_file, sanitize_filename

from . import rules
from .bot import normalize_language
from .events import ArticlePublished, FaqChanged
from .models import (
    Article,
    ArticleAttachment,
    ArticleRevision,
    ArticleStatus,
    FaqEntry,
    FaqQuestion,
    KbCategory,
    Language,
    SearchLog,
    SuggestionOpen,
    Visibility,
)
from .search import index_article, index_faq

log = logging.getLogger(__name__)

MANAGE_PERMISSION = "knowledge.manage_knowledge"
READ_PERMISSION = "knowledge.view_article"


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MANAGE_PERMISSION))


def can_read_article(user, article: Article) -> bool:
    """Anyone reads a published public article; only active staff allowed to read the knowledge base read
    a draft or an internal one (customers never do, whatever their permissions)."""
    if article.is_public:
        return True
    return is_active_staff(user, READ_PERMISSION)


def _require_manage(actor) -> None:
    if not can_manage(actor):
        raise NotAllowed(_("You may not edit the knowledge base."))


def _check_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(_("Choose a valid value."), field=field)
    return value


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("A title is required."), field="title")
    if len(title) > 200:
        raise InvalidInput(_("The title is too long (at most 200 characters)."), field="title")
    return title


# --- articles --------------------------------------------------------------------------------------


@transaction.atomic
def create_article(
    *,
    actor,
    title: str,
    body: str = "",
    language: str = Language.ZH,
    category: KbCategory | None = None,
    visibility: str = Visibility.PUBLIC,
    translation_of: Article | None = None,
) -> Article:
    """A new draft article, with its first revision."""
    _require_manage(actor)
    language = _check_choice(language, Language, "language")
    visibility = _check_choice(visibility, Visibility, "visibility")
    if translation_of is not None:
        translation_of = translation_of.translation_of or translation_of  # always link to the original
        if translation_of.language == language:
            raise InvalidInput(_("A translation must be in another language."), field="language")
    article = Article.objects.create(
        title=_clean_title(title),
        body=clean_article_body(body, keys=()),  # a new article has no files yet
        language=language,
        category=category,
        visibility=visibility,
        translation_of=translation_of,
        author=actor,
    )
    ArticleRevision.objects.create(
        article=article, version=1, title=article.title, body=article.body, author=actor
    )
    record(actor=actor, action="knowledge.article_created", obj=article)
    return article


@transaction.atomic
def update_article(
    *,
    actor,
    article: Article,
    title: str,
    body: str,
    expected_version: int | None = None,
    category: KbCategory | None = None,
    visibility: str | None = None,
) -> Article:
    """Save new content as the next version; `expected_version` guards against overwriting someone else."""
    _require_manage(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and expected_version != article.version:
        raise Conflict()
    title = _clean_title(title)
    body = clean_article_body(body, keys=article.attachments.values_list("key", flat=True))
    changes = {}
    if visibility is not None:
        visibility = _check_choice(visibility, Visibility, "visibility")
        if visibility != article.visibility:
            changes["visibility"] = [article.visibility, visibility]
            article.visibility = visibility
    if category is not None and category.pk != article.category_id:
        changes["category"] = [article.category_id, category.pk]
        article.category = category
    if title != article.title or body != article.body:
        article.title, article.body = title, body
        article.version += 1
        changes["version"] = [article.version - 1, article.version]
        ArticleRevision.objects.create(
            article=article, version=article.version, title=title, body=body, author=actor
        )
    if changes:
        article.save()
        index_article(article)
        record(actor=actor, action="knowledge.article_updated", obj=article, changes=changes)
    return article


@transaction.atomic
def restore_revision(*, actor, article: Article, version: int) -> Article:
    """Make an old version current again (as a new version, so history is never rewritten).

    Files are not versioned: the restored text keeps the images and links of files the article still has
    and loses those of files deleted since (update_article sanitizes against the current attachments)."""
    _require_manage(actor)
    revision = ArticleRevision.objects.filter(article=article, version=version).first()
    if revision is None:
        raise InvalidInput(_("That version does not exist."), field="version")
    return update_article(actor=actor, article=article, title=revision.title, body=revision.body)


# --- article attachments ---------------------------------------------------------------------------

MAX_FILES_PER_UPLOAD = 10
_STORED_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


@cache
def file_url_prefix() -> str:
    """The path every article file's address starts with (`<prefix><key>/`)."""
    sample = "k" * 22
    return reverse("portal:help:file", kwargs={"key": sample}).removesuffix(sample + "/")


def clean_article_body(body: str, *, keys: Iterable[str]) -> str:
    """Sanitized HTML whose images (and links to Kefu's article files) point only at files in `keys`."""
    keep = rules.body_url_filter(prefix=file_url_prefix(), keys=frozenset(keys))
    return rules.drop_images_without_source(clean_html(body, attribute_filter=keep))


def _checked_upload(upload) -> tuple[str, str]:
    """The sanitized name and the real type of an uploaded file, or InvalidInput saying what is wrong."""
    name = sanitize_filename(upload.name)
    if not upload.size:
        raise InvalidInput(_("%(name)s is empty.") % {"name": name}, field="files")
    check_file(name, upload.size)  # the size limit and forbidden types every attachment obeys
    head = upload.read(2048)
    upload.seek(0)
    content_type = rules.attachment_type(name=name, head=head)
    if content_type is None:
        raise InvalidInput(
            _("The content of %(name)s does not match its type.") % {"name": name}, field="files"
        )
    return name, content_type


def add_article_attachments(*, actor, article: Article, files: Iterable) -> list[ArticleAttachment]:
    """Store uploaded images and files on an article, all or none: each within ATTACHMENT_MAX_BYTES, not of
    a forbidden type, and really of the type its name claims. Stored under a random name, audited."""
    _require_manage(actor)
    files = list(files)
    if not files:
        raise InvalidInput(_("Choose a file to upload."), field="files")
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise InvalidInput(
            _("Upload at most %(n)s files at once.") % {"n": MAX_FILES_PER_UPLOAD}, field="files"
        )
    checked = [(upload, *_checked_upload(upload)) for upload in files]
    now = clock.now()
    storage = ArticleAttachment.file.field.storage
    written: list[str] = []
    attachments = []
    # Every file is stored before any row points at it, and the rows are written in one transaction after
    # them; any failure on the way deletes the files written so far, so no row is left without its file.
    # If an enclosing transaction later rolls back, the files stay on disk without rows: harmless orphans
    # under random names nothing links to (deleting them then would need a rollback hook Django lacks).
    try:
        for upload, name, content_type in checked:
            attachment = ArticleAttachment(
                article=article,
                key=secrets.token_urlsafe(24),
                filename=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
                created_at=now,
            )
            disk_name = uuid.uuid4().hex + _STORED_EXTENSIONS.get(content_type, ".bin")
            attachment.file.save(disk_name, File(upload, name=disk_name), save=False)
            written.append(attachment.file.name)
            attachments.append(attachment)
        with transaction.atomic():
            for attachment in attachments:
                attachment.save()
                record(
                    actor=actor,
                    action="knowledge.attachment_added",
                    obj=attachment,
                    changes={
                        "article": [None, article.pk],
                        "filename": [None, attachment.filename],
                        "size": [None, attachment.size],
                    },
                )
    except BaseException:
        _delete_files(storage, written)
        raise
    return attachments


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the original failure is the one to report; the other files are still deleted
            log.warning("could not delete the article file %s", name, exc_info=True)


@transaction.atomic
def delete_article_attachment(*, actor, attachment: ArticleAttachment) -> Article:
    """Delete a file for good (audited). If the current version shows or links it, a new version without
    those references is saved, so the article never points at a missing file; older versions keep their
    text, and restoring one drops what points at files deleted since."""
    _require_manage(actor)
    article = Article.objects.select_for_update().get(pk=attachment.article_id)
    record(
        actor=actor,
        action="knowledge.attachment_deleted",
        obj=attachment,
        changes={
            "article": [article.pk, None],
            "filename": [attachment.filename, None],
            "size": [attachment.size, None],
        },
    )
    storage, stored_name = attachment.file.storage, attachment.file.name
    attachment.delete()
    if attachment.key in rules.referenced_keys(article.body, file_url_prefix()):
        article = update_article(actor=actor, article=article, title=article.title, body=article.body)
    # The row is gone for sure: now the bytes. Robust, so a storage error neither hides the commit from the
    # caller nor stops the callbacks registered after this one.
    transaction.on_commit(lambda: storage.delete(stored_name), robust=True)
    return article


@transaction.atomic
def change_article_status(*, actor, article: Article, status: str) -> Article:
    """draft → review → published (and back to draft to unpublish)."""
    _require_manage(actor)
    status = _check_choice(status, ArticleStatus, "status")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if status == article.status:
        return article
    if status not in rules.next_statuses(article.status):
        raise InvalidInput(_("This status change is not allowed."), field="status")
    old = article.status
    article.status = status
    if status == ArticleStatus.PUBLISHED:
        article.published_at = clock.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    index_article(article)
    record(actor=actor, action="knowledge.article_status", obj=article, changes={"status": [old, status]})
    if status == ArticleStatus.PUBLISHED:
        emit(ArticlePublished(article_id=article.pk, actor_id=actor.pk))
    return article


def publish_article(*, actor, article: Article) -> Article:
    return change_article_status(actor=actor, article=article, status=ArticleStatus.PUBLISHED)


def record_article_view(*, article: Article) -> Article:
    """Count one read (readers may be anonymous, so there is no actor)."""
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)
    article.refresh_from_db(fields=["views"])
    return article


def record_feedback(*, article: Article, helpful: bool) -> Article:
    """ "Was this helpful?" — one vote; the view layer keeps a reader from voting twice (session)."""
    if not article.is_public and article.status != ArticleStatus.PUBLISHED:
        raise InvalidInput(_("Only published articles can be rated."))
    counter = "helpful_count" if helpful else "unhelpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    article.refresh_from_db(fields=["helpful_count", "unhelpful_count"])
    return article


# --- FAQ entries -----------------------------------------------------------------------------------


def _clean_questions(questions: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for question in questions:
        question = " ".join((question or "").split())
        if question:
            if len(question) > 300:
                raise InvalidInput(_("A question is too long (at most 300 characters)."), field="questions")
            seen.setdefault(question, None)
    if not seen:
        raise InvalidInput(_("Give at least one question."), field="questions")
    return list(seen)


@transaction.atomic
def create_faq_entry(
    *,
    actor,
    answer: str,
    questions: Iterable[str],
    language: str = Language.ZH,
    category: KbCategory | None = None,
    is_published: bool = False,
) -> FaqEntry:
    """One answer with the ways customers ask for it."""
    _require_manage(actor)
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(_("An answer is required."), field="answer")
    language = _check_choice(language, Language, "language")
    texts = _clean_questions(questions)
    entry = FaqEntry.objects.create(
        answer=answer, language=language, category=category, is_published=is_published, author=actor
    )
    FaqQuestion.objects.bulk_create([FaqQuestion(entry=entry, text=text) for text in texts])
    index_faq(entry)
    record(actor=actor, action="knowledge.faq_created", obj=entry)
    emit(FaqChanged(entry_id=entry.pk))
    return entry


_UNCHANGED = object()  # update_faq_entry's "keep the category" (None means "no category")


@transaction.atomic
def update_faq_entry(
    *,
    actor,
    entry: FaqEntry,
    answer: str | None = None,
    questions: Iterable[str] | None = None,
    is_published: bool | None = None,
    language: str | None = None,
    category: KbCategory | None | object = _UNCHANGED,
) -> FaqEntry:
    """Change what is given (None / unchanged: keep it) in one transaction, one audit row, one re-index."""
    _require_manage(actor)
    changes = {}
    if language is not None or category is not _UNCHANGED:
        language = entry.language if language is None else _check_choice(language, Language, "language")
        category = entry.category if category is _UNCHANGED else category
        if language != entry.language or category != entry.category:
            changes["language"] = [entry.language, language]
            changes["category"] = [entry.category_id, getattr(category, "pk", None)]
            entry.language, entry.category = language, category
    if answer is not None:
        answer = answer.strip()
        if not answer:
            raise InvalidInput(_("An answer is required."), field="answer")
        if answer != entry.answer:
            changes["answer"] = [entry.answer, answer]
            entry.answer = answer
    if is_published is not None and is_published != entry.is_published:
        changes["is_published"] = [entry.is_published, is_published]
        entry.is_published = is_published
    if questions is not None:
        texts = _clean_questions(questions)
        old = list(entry.questions.values_list("text", flat=True))
        if texts != old:
            entry.questions.all().delete()
            FaqQuestion.objects.bulk_create([FaqQuestion(entry=entry, text=text) for text in texts])
            changes["questions"] = [old, texts]
    if changes:
        entry.save()
        index_faq(entry)
        record(actor=actor, action="knowledge.faq_updated", obj=entry, changes=changes)
        emit(FaqChanged(entry_id=entry.pk))
    return entry


def draft_faq_from_ticket(*, actor, ticket) -> FaqEntry:
    """An unpublished FAQ entry from a solved ticket: its subject and the customer's first words as the
    questions, the last public reply as the answer (the editor polishes it before publishing)."""
    from kefu.tickets.models import MessageKind, Status

    _require_manage(actor)
    if ticket.status not in (Status.SOLVED, Status.CLOSED):
        raise InvalidInput(_("Only solved tickets can become FAQ entries."))
    messages = list(ticket.messages.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY]))
    asked = next((m.body_text for m in messages if m.kind == MessageKind.CUSTOMER), "")
    replies = [m.body_text for m in messages if m.kind == MessageKind.REPLY and m.body_text.strip()]
    first_line = next((line.strip() for line in asked.splitlines() if line.strip()), "")[:300]
    questions = [q for q in (ticket.subject[:300], first_line) if q]
    language = normalize_language(getattr(ticket.customer, "language", None))
    return create_faq_entry(
        actor=actor,
        answer=replies[-1] if replies else _("(write the answer)"),
        questions=questions or [_("(write the question)")],
        language=language,
    )


# --- help-center metrics -------------------------------------------------------------------------------


def record_search(*, query: str, language: str, source: str, results: int) -> SearchLog:
    """Log one search (anonymous readers too), so editors see what people do not find."""
    return SearchLog.objects.create(query=query[:200], language=language, source=source, results=results)


def record_suggestion_open(*, article: Article, customer) -> SuggestionOpen:
    """A customer opened an article suggested on the new-ticket form: a deflection candidate."""
    return SuggestionOpen.objects.create(article=article, customer=customer, opened_at=clock.now())


def settle_deflections(*, now=None) -> int:
    """Decide pending suggestion opens (see rules.deflection_outcome); returns how many were settled.

    Idempotent and cheap: only pending rows are read (each with its customer's first ticket in the window,
    in the same query), then settled with one conditional update per outcome."""
    from django.db.models import OuterRef, Subquery

    from kefu.tickets.models import Ticket

    now = now or clock.now()
    pending = SuggestionOpen.Outcome.PENDING
    first_ticket = Ticket.objects.filter(
        customer_id=OuterRef("customer_id"),
        created_at__gte=OuterRef("opened_at"),
        created_at__lte=OuterRef("opened_at") + rules.DEFLECTION_WINDOW,
    ).values("created_at")[:1]
    rows = (
        SuggestionOpen.objects.filter(outcome=pending)
        .annotate(first_ticket_at=Subquery(first_ticket))
        .order_by("id")[:1000]
    )
    decided: dict[str, list[int]] = {}
    for row in rows:
        tickets_after = [row.first_ticket_at] if row.first_ticket_at else []
        outcome = rules.deflection_outcome(opened_at=row.opened_at, tickets_after=tickets_after, now=now)
        if outcome:
            decided.setdefault(outcome, []).append(row.pk)
    settled = 0
    for outcome, ids in decided.items():
        settled += SuggestionOpen.objects.filter(pk__in=ids, outcome=pending).update(
            outcome=outcome, settled_at=now
        )
    return settled
