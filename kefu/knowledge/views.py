"""Help-center pages: browse categories, search, read and rate published public articles (no login needed)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .bot import normalize_language
from .models import KbCategory
from .search import public_articles, search_articles

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
    articles = public_articles().filter(language=_language(), category=category).order_by("title")[:PAGE_SIZE]
    return render(request, "knowledge/help_category.html", {"category": category, "articles": articles})


def help_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = search_articles(query, language=_language()) if query else []
    return render(request, "knowledge/help_search.html", {"query": query, "results": results})


def _public_article(pk: int):
    article = public_articles().select_related("category").filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def help_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = _public_article(pk)
    services.record_article_view(article=article)
    rated = pk in request.session.get("kb_rated", [])
    return render(request, "knowledge/help_article.html", {"article": article, "rated": rated})


@require_POST
def help_rate(request: HttpRequest, pk: int) -> HttpResponse:
    article = _public_article(pk)
    rated = request.session.get("kb_rated", [])
    if pk not in rated:
        services.record_feedback(article=article, helpful=request.POST.get("helpful") == "yes")
        request.session["kb_rated"] = [*rated, pk][-200:]
    messages.success(request, _("Thank you for your feedback."))
    return redirect("portal:help:article", pk=pk)
