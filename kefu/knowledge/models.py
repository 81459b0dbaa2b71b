"""Knowledge base: help-center articles (with version history and translations) and FAQ entries."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ZH = "zh-hans", "简体中文"
    EN = "en", "English"


class KbCategory(models.Model):
    """A help-center section, named in Chinese and English."""

    name = models.CharField(_("name (中文)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("knowledge base category")
        verbose_name_plural = _("knowledge base categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


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
