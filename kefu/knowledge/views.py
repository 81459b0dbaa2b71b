"""Help-center pages: browse categories, search, read and rate published public articles (no login needed)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kefu.customers.models import Customer

from . import services
from .bot import normalize_language
from .models import ArticleAttachment, KbCategory
from .search import public_articles, search_articles, search_articles_any_language

SUGGESTED = "suggested"  # ?from= value of links suggested on the new-ticket form

PAGE_SIZE = 50


def _language() -> str:
    return normalize_language(get_language())


def help_home(request: HttpRequest) -> HttpResponse:
    articles = public_articles().filter(language=_language())
    categories = KbCategory.objects.filter(articles__in=articles).distinct()
    popular = articles.select_related("category").order_by("-views", "-id")[:10]
    return render(request, "knowledge/help_home.html", {"categories": categories, "popular": popular})


def help_category(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(KbCategory, slug=slug)
    articles = (
        public_articles()
        .filter(language=_language(), category=category)
        .select_related("category")
        .order_by("title")[:PAGE_SIZE]
    )
    return render(request, "knowledge/help_category.html", {"category": category, "articles": articles})


def help_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    category = KbCategory.objects.filter(slug=request.GET.get("c", "")[:60]).first()
    results = []
    if query:
        category_id = getattr(category, "pk", None)
        results = search_articles_any_language(query, language=_language(), category_id=category_id)
        services.record_search(query=query, language=_language(), source="portal", results=len(results))
    context = {"query": query, "results": results, "category": category}
    return render(request, "knowledge/help_search.html", context)


def help_suggest(request: HttpRequest) -> HttpResponse:
    """Articles matching what a customer types as a new ticket's subject (htmx fragment, debounced)."""
    query = request.GET.get("subject", "").strip()[:200]
    results = search_articles(query, language=_language(), limit=5) if len(query) >= 2 else []
    return render(request, "knowledge/_ticket_suggestions.html", {"results": results, "from": SUGGESTED})


def _customer_of(user):
    if user.is_authenticated and not user.is_staff:
        return Customer.objects.filter(user=user).first()
    return None


def _public_article(pk: int):
    article = public_articles().select_related("category").filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def help_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = _public_article(pk)
    services.record_article_view(article=article)
    if request.GET.get("from") == SUGGESTED:
        # Opened from the new-ticket form: a deflection unless this customer submits a ticket soon after.
        customer = _customer_of(request.user)
        if customer is not None:
            services.record_suggestion_open(article=article, customer=customer)
    rated = pk in request.session.get("kb_rated", [])
    files = [a for a in article.attachments.all() if not a.is_image]  # images are shown in the text
    context = {"article": article, "rated": rated, "files": files}
    return render(request, "knowledge/help_article.html", context)


@require_POST
def help_rate(request: HttpRequest, pk: int) -> HttpResponse:
    article = _public_article(pk)
    rated = request.session.get("kb_rated", [])
    if pk not in rated:
        services.record_feedback(article=article, helpful=request.POST.get("helpful") == "yes")
        request.session["kb_rated"] = [*rated, pk][-200:]
    messages.success(request, _("Thank you for your feedback."))
    return redirect("portal:help:article", pk=pk)


@require_safe
def help_file(request: HttpRequest, key: str) -> FileResponse:
    """An article's image or file, by its random key: for anyone when the article is published and public,
    otherwise only for staff who may read it (everyone else gets the same 404 as for a wrong key)."""
    attachment = ArticleAttachment.objects.select_related("article").filter(key=key).first()
    if attachment is None or not services.can_read_article(request.user, attachment.article):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,  # only images are shown in the browser
        filename=attachment.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    public = attachment.article.is_public
    response["Cache-Control"] = "private, max-age=300" if public else "private, no-store"
    return response
