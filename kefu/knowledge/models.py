"""Knowledge base: help-center articles (with version history and translations) and FAQ entries."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.tickets.models import BilingualName

from . import rules


class Language(models.TextChoices):
    ZH = "zh-hans", "简体中文"
    EN = "en", "English"


class KbCategory(BilingualName):
    """A help-center section, named in Chinese and English."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("knowledge base category")
        verbose_name_plural = _("knowledge base categories")
        ordering = ["position", "id"]


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public (help center)")
    INTERNAL = "internal", _("Internal (agents only)")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, help_text=_("Sanitized HTML."))
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH)
    category = models.ForeignKey(
        KbCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    views = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("not helpful"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        permissions = [("manage_knowledge", _("Can write and publish knowledge base content"))]
        indexes = [models.Index(fields=["status", "visibility", "language"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.visibility == Visibility.PUBLIC


class ArticleRevision(models.Model):
    """The article as it was saved at one version; the newest revision equals the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["article", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="knowledge_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


def article_file_path(instance: "ArticleAttachment", filename: str) -> str:
    """Where an article's file is stored: a random name (never the uploader's, never the public key)."""
    return f"kb/{instance.created_at:%Y/%m}/{filename}"


class ArticleAttachment(models.Model):
    """An image or file uploaded to one article (a translation has its own). Served only by the help
    center's `files/<key>/` view after checking who may read the article; `key` is random, so URLs cannot
    be guessed from ids. Attachments are not versioned: see `services.delete_article_attachment`."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    key = models.CharField(max_length=40, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=article_file_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")
        ordering = ["article", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type in rules.IMAGE_TYPES

    @property
    def url(self) -> str:
        """The one address of this file, for the help center and the workspace alike (permission-checked)."""
        return reverse("portal:help:file", kwargs={"key": self.key})


class FaqEntry(models.Model):
    """One answer and the many ways customers ask for it (FaqQuestion)."""

    answer = models.TextField(_("answer"))
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH)
    category = models.ForeignKey(
        KbCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="faqs",
    )
    is_published = models.BooleanField(_("published"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["id"]

    def __str__(self) -> str:
        first = next(iter(self.questions.all()), None)
        return first.text if first else self.answer[:50]


class FaqQuestion(models.Model):
    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)

    class Meta:
        verbose_name = _("FAQ question")
        verbose_name_plural = _("FAQ questions")
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.text


class SearchEntry(models.Model):
    """One published article or FAQ entry as the search engines see it (kept in step by the services).

    `tokens` holds the jieba / word tokens, encoded to plain ASCII words (see `search.encode_token`) so that
    SQLite FTS5 and PostgreSQL full-text search split them identically. The engines' own indexes (an FTS5
    table with triggers, or a GIN index) are created by migration 0002 for the database in use.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        FAQ = "faq", _("FAQ entry")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    language = models.CharField(max_length=10, choices=Language.choices)
    category = models.ForeignKey(
        KbCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_public = models.BooleanField(default=True)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    tokens = models.TextField(blank=True)
    length = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="knowledge_searchentry_unique")
        ]
        indexes = [models.Index(fields=["language", "is_public"])]

    def __str__(self) -> str:
        return self.title


class DictionaryWord(models.Model):
    """A product term the Chinese tokenizer must keep whole (jieba user dictionary, shared via the DB)."""

    word = models.CharField(_("word"), max_length=50, unique=True)
    frequency = models.PositiveIntegerField(_("frequency"), default=20000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dictionary word")
        verbose_name_plural = _("dictionary words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class Synonym(models.Model):
    """Words that mean the same to a searcher (e.g. 退款, 退钱, refund): searching one finds the others."""

    terms = models.CharField(
        _("terms"), max_length=300, help_text=_("Words that mean the same, separated by commas.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.terms

    @property
    def words(self) -> list[str]:
        return [w.strip() for w in self.terms.replace("，", ",").split(",") if w.strip()]


class SuggestionOpen(models.Model):
    """A customer opened an article suggested while writing a new ticket; settled later as a deflection
    (no ticket from that customer within the window) or not (a ticket followed)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        DEFLECTED = "deflected", _("Deflected")
        TICKET = "ticket", _("Ticket submitted")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_opens")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(_("opened"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggested article opened")
        verbose_name_plural = _("suggested articles opened")
        indexes = [models.Index(fields=["outcome", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} {self.outcome}"


class SearchLog(models.Model):
    """One help-center or workspace search, so editors see what people look for and do not find."""

    query = models.CharField(_("query"), max_length=200)
    language = models.CharField(_("language"), max_length=10)
    source = models.CharField(_("source"), max_length=10)  # "portal" | "workspace" | "ticket_form"
    results = models.PositiveIntegerField(_("results"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.query
