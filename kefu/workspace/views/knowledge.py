"""The knowledge base in the workspace: list and search, write articles and FAQ entries, review history,
and the ticket page's suggested articles."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from kefu.core import clock
from kefu.core.errors import DomainError, InvalidInput, NotFound
from kefu.knowledge import rules, services
from kefu.knowledge.bot import normalize_language
from kefu.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleRevision,
    ArticleStatus,
    FaqEntry,
    KbCategory,
    Language,
    SearchEntry,
    SearchLog,
    SuggestionOpen,
    Visibility,
)
from kefu.knowledge.search import search, suggest_for_agents
from kefu.tickets.models import MessageKind

from .common import staff_required, wants_partial
from .ticket import load_ticket

PAGE_SIZE = 50
READ = "knowledge.view_article"


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _article(pk: int) -> Article:
    article = Article.objects.select_related("category", "author", "translation_of").filter(pk=pk).first()
    if article is None:
        raise NotFound(_("This article does not exist."))
    return article


def _faq(pk: int) -> FaqEntry:
    entry = FaqEntry.objects.select_related("category").prefetch_related("questions").filter(pk=pk).first()
    if entry is None:
        raise NotFound(_("This FAQ entry does not exist."))
    return entry


class KnowledgeFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    language = forms.ChoiceField(required=False, choices=[("", "")] + Language.choices)
    category = forms.ModelChoiceField(required=False, queryset=KbCategory.objects.all())
    page = forms.IntegerField(required=False, min_value=1, max_value=10000)


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Body (HTML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy(
            "Images must be files uploaded to this article (insert them from its files); "
            "other image addresses are removed when you save."
        ),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), required=False, queryset=KbCategory.objects.all()
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Visibility"), choices=Visibility.choices)
    translation_of = forms.ModelChoiceField(
        label=gettext_lazy("Translation of"),
        required=False,
        queryset=Article.objects.filter(translation_of__isnull=True).order_by("title"),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FaqForm(forms.Form):
    questions = forms.CharField(
        label=gettext_lazy("Questions (one per line)"), widget=forms.Textarea(attrs={"rows": 5})
    )
    answer = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), required=False, queryset=KbCategory.objects.all()
    )
    is_published = forms.BooleanField(
        label=gettext_lazy("Published (the bot may answer with it)"), required=False
    )


def _stats() -> dict:
    """What editors need to act on: searches without results and deflections, over the last 30 days."""
    since = clock.now() - timedelta(days=30)  # deflections are settled by a periodic job (a GET writes nothing)
    logs = SearchLog.objects.filter(created_at__gte=since)
    outcomes = dict(
        SuggestionOpen.objects.filter(opened_at__gte=since)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    return {
        "searches": logs.count(),
        "zero_results": logs.filter(results=0).count(),
        "missing": list(
            logs.filter(results=0).values("query").annotate(n=Count("id")).order_by("-n", "query")[:10]
        ),
        "deflections": outcomes.get(SuggestionOpen.Outcome.DEFLECTED, 0),
        "not_deflected": outcomes.get(SuggestionOpen.Outcome.TICKET, 0),
    }


@require_GET
@staff_required
def knowledge_home(request: HttpRequest) -> HttpResponse:
    """`/agent/knowledge/`: articles (internal ones too) and FAQ entries, or search results for `q`."""
    _require(request.user, READ)
    form = KnowledgeFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    query, language, category = data.get("q") or "", data.get("language") or "", data.get("category")
    page = data.get("page") or 1
    context: dict = {"form": form, "query": query, "page": page, "categories": KbCategory.objects.all()}
    context["can_manage"] = services.can_manage(request.user)
    if query:
        hits = search(
            query,
            language=language or None,
            category_id=getattr(category, "pk", None),
            public_only=False,
            limit=30,
        )
        services.record_search(query=query, language=language, source="workspace", results=len(hits))
        context["hits"] = hits
    else:
        articles = Article.objects.select_related("category", "author")
        faqs = FaqEntry.objects.select_related("category").annotate(n_questions=Count("questions"))
        if language:
            articles, faqs = articles.filter(language=language), faqs.filter(language=language)
        if category:
            articles, faqs = articles.filter(category=category), faqs.filter(category=category)
        start = (page - 1) * PAGE_SIZE
        rows = list(articles.order_by("-updated_at", "-id")[start : start + PAGE_SIZE + 1])
        context["articles"], context["has_next"] = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
        context["faqs"] = list(faqs.order_by("-updated_at", "-id")[:PAGE_SIZE])
    if context["can_manage"]:
        context["stats"] = _stats()
    return render(request, "workspace/knowledge_home.html", context)


def _save_article(request: HttpRequest, form: ArticleForm, article: Article | None) -> Article:
    data = form.cleaned_data
    if article is None:
        return services.create_article(
            actor=request.user,
            title=data["title"],
            body=data["body"],
            language=data["language"],
            category=data["category"],
            visibility=data["visibility"],
            translation_of=data["translation_of"],
        )
    return services.update_article(
        actor=request.user,
        article=article,
        title=data["title"],
        body=data["body"],
        expected_version=data["version"],
        category=data["category"],
        visibility=data["visibility"],
    )


def _fix_language(form: ArticleForm, article: Article | None) -> None:
    """An article keeps its language (a translation is a new article): shown, not editable."""
    if article is not None:
        form.fields["language"].disabled = True


@require_http_methods(["GET", "POST"])
@staff_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a new article or the next version of one (a stale version is refused, not overwritten)."""
    if not services.can_manage(request.user):
        raise PermissionDenied
    article = _article(pk) if pk else None
    if request.method == "POST":
        form = ArticleForm(request.POST, initial={"language": article.language} if article else None)
        _fix_language(form, article)
        if form.is_valid():
            try:
                article = _save_article(request, form, article)
            except DomainError as exc:
                form.add_error(
                    getattr(exc, "field", None) if getattr(exc, "field", None) in form.fields else None,
                    str(exc),
                )
            else:
                messages.success(request, _("Article saved."))
                return redirect("workspace:knowledge_article", pk=article.pk)
    elif article:
        form = ArticleForm(
            initial={
                "title": article.title,
                "body": article.body,
                "language": article.language,
                "category": article.category,
                "visibility": article.visibility,
                "translation_of": article.translation_of,
                "version": article.version,
            }
        )
        _fix_language(form, article)
    else:
        raw = request.GET.get("translation_of", "")
        origin = Article.objects.filter(pk=int(raw)).first() if raw.isdecimal() and len(raw) < 18 else None
        form = ArticleForm(
            initial={"language": Language.ZH, "visibility": Visibility.PUBLIC, "translation_of": origin}
        )
    context = {"form": form, "article": article}
    if article:
        context.update(_files_context(article, editing=True, can_manage=True))
    return render(request, "workspace/knowledge_article_form.html", context)


@require_GET
@staff_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article (internal ones too) with its status actions, translations, feedback and history."""
    _require(request.user, READ)
    article = _article(pk)
    original = article.translation_of or article
    translations = [a for a in [original, *original.translations.all()] if a.pk != article.pk]
    revisions = list(article.revisions.select_related("author").order_by("-version")[:100])
    return render(
        request,
        "workspace/knowledge_article.html",
        {
            "article": article,
            "translations": translations,
            "revisions": revisions,
            "can_manage": services.can_manage(request.user),
            **_files_context(article, editing=False, can_manage=services.can_manage(request.user)),
            "next_statuses": [
                (code, label)
                for code, label in ArticleStatus.choices
                if code in rules.next_statuses(article.status)
            ],
        },
    )


FILES_TEMPLATE = "workspace/_knowledge_files.html"


def _files_context(article: Article, *, editing: bool, can_manage: bool) -> dict:
    return {
        "article": article,
        "files": list(article.attachments.order_by("id")),
        "editing": editing,
        "can_manage": can_manage,
        "max_size": settings.ATTACHMENT_MAX_BYTES,
    }


def _files_answer(request: HttpRequest, article: Article, *, editing: bool, notice: str) -> HttpResponse:
    """The files panel (with the notice in it) for htmx, else back to the page the editor came from."""
    if wants_partial(request):
        context = {**_files_context(article, editing=editing, can_manage=True), "notice": notice}
        return render(request, FILES_TEMPLATE, context)
    messages.success(request, notice)
    target = "workspace:knowledge_article_edit" if editing else "workspace:knowledge_article"
    return redirect(target, pk=article.pk)


@require_POST
@staff_required
def article_files(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload images and files to an article (the editor's files panel)."""
    if not services.can_manage(request.user):
        raise PermissionDenied
    article = _article(pk)
    try:
        files = request.FILES.getlist("files")
    except MultiPartParserError as exc:  # a broken upload is the sender's fault, said plainly (not a 500)
        raise InvalidInput(_("The upload could not be read. Choose the files again and retry.")) from exc
    stored = services.add_article_attachments(actor=request.user, article=article, files=files)
    notice = ngettext("%(n)s file uploaded.", "%(n)s files uploaded.", len(stored)) % {"n": len(stored)}
    return _files_answer(request, article, editing=True, notice=notice)


@require_POST
@staff_required
def article_file_delete(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Delete one of an article's files; if the current text showed it, a new version without it is saved."""
    if not services.can_manage(request.user):
        raise PermissionDenied
    attachment = ArticleAttachment.objects.filter(article_id=pk, key=key).first()
    if attachment is None:
        raise NotFound(_("This file does not exist."))
    before = attachment.article.version
    article = services.delete_article_attachment(actor=request.user, attachment=attachment)
    notice = _("%(name)s deleted.") % {"name": attachment.filename}
    editing = request.POST.get("from") == "edit"
    if article.version == before:
        return _files_answer(request, article, editing=editing, notice=notice)
    # The text showed the file and changed: reload the whole page, its form is out of date.
    messages.success(request, notice)
    messages.info(request, _("The article text no longer shows it (version %(v)s).") % {"v": article.version})
    target = reverse(
        "workspace:knowledge_article_edit" if editing else "workspace:knowledge_article", kwargs={"pk": pk}
    )
    return HttpResponseClientRedirect(target) if wants_partial(request) else redirect(target)


@require_POST
@staff_required
def article_status(request: HttpRequest, pk: int) -> HttpResponse:
    article = services.change_article_status(
        actor=request.user, article=_article(pk), status=request.POST.get("status", "")
    )
    messages.success(request, _("Status changed to %(status)s.") % {"status": article.get_status_display()})
    return redirect("workspace:knowledge_article", pk=pk)


@require_GET
@staff_required
def article_diff(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """What version `version` changed against the one before it (title and body source, escaped)."""
    _require(request.user, READ)
    article = _article(pk)
    pair = {
        r.version: r
        for r in ArticleRevision.objects.filter(article=article, version__in=[version - 1, version])
    }
    if version not in pair:
        raise NotFound(_("That version does not exist."))
    new, old = pair[version], pair.get(version - 1)
    context = {
        "article": article,
        "revision": new,
        "previous": old,
        "title_diff": rules.revision_diff(old.title if old else "", new.title),
        "body_diff": rules.revision_diff(old.body if old else "", new.body),
        "can_manage": services.can_manage(request.user),
    }
    return render(request, "workspace/knowledge_diff.html", context)


@require_POST
@staff_required
def article_restore(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    article = services.restore_revision(actor=request.user, article=_article(pk), version=version)
    messages.success(
        request, _("Version %(old)s restored as version %(new)s.") % {"old": version, "new": article.version}
    )
    return redirect("workspace:knowledge_article", pk=pk)


@require_http_methods(["GET", "POST"])
@staff_required
def faq_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write an FAQ entry: one answer, the ways customers ask for it, published or not."""
    if not services.can_manage(request.user):
        raise PermissionDenied
    entry = _faq(pk) if pk else None
    if request.method == "POST":
        form = FaqForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            questions = data["questions"].splitlines()
            try:
                if entry is None:
                    entry = services.create_faq_entry(
                        actor=request.user,
                        answer=data["answer"],
                        questions=questions,
                        language=data["language"],
                        category=data["category"],
                        is_published=data["is_published"],
                    )
                else:
                    services.update_faq_entry(
                        actor=request.user,
                        entry=entry,
                        answer=data["answer"],
                        questions=questions,
                        is_published=data["is_published"],
                        language=data["language"],
                        category=data["category"],
                    )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("FAQ entry saved."))
                return redirect("workspace:knowledge_faq", pk=entry.pk)
    elif entry:
        form = FaqForm(
            initial={
                "questions": "\n".join(q.text for q in entry.questions.all()),
                "answer": entry.answer,
                "language": entry.language,
                "category": entry.category,
                "is_published": entry.is_published,
            }
        )
    else:
        form = FaqForm(initial={"language": Language.ZH})
    return render(request, "workspace/knowledge_faq_form.html", {"form": form, "entry": entry})


@require_GET
@staff_required
def ticket_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Published articles (internal ones included) that may answer the ticket: the side panel's partial."""
    _require(request.user, READ)
    ticket = load_ticket(request, pk)
    asked = (
        ticket.messages.filter(kind=MessageKind.CUSTOMER)
        .order_by("created_at", "id")
        .values_list("body_text", flat=True)[:3]
    )
    text = " ".join([ticket.subject, *asked])[:1000]
    language = normalize_language(getattr(ticket.customer, "language", None))
    articles = suggest_for_agents(text, language=language, limit=5)
    return render(
        request,
        "workspace/_knowledge_suggestions.html",
        {
            "ticket": ticket,
            "articles": articles,
            "loaded": True,
            "portal_base": request.build_absolute_uri("/portal/help/a/"),
        },
    )


@require_POST
@staff_required
def ticket_draft_faq(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a solved ticket into an unpublished FAQ entry and open it for editing."""
    ticket = load_ticket(request, pk)
    entry = services.draft_faq_from_ticket(actor=request.user, ticket=ticket)
    messages.success(request, _("FAQ draft created from the ticket. Check it, then publish it."))
    return redirect("workspace:knowledge_faq_edit", pk=entry.pk)


@require_GET
@staff_required
def faq_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, READ)
    entry = _faq(pk)
    return render(
        request,
        "workspace/knowledge_faq.html",
        {"entry": entry, "can_manage": services.can_manage(request.user), "kinds": SearchEntry.Kind},
    )
