"""Help-center search over published public articles, with the same matcher as the FAQ bot.

The index is rebuilt when published articles change (count / last update); internal articles and drafts are
never in it, so nothing the portal shows can leak them.
"""

import threading

from django.db.models import Count, Max

from kefu.core.html import html_to_text

from . import matching
from .models import Article, ArticleStatus, Visibility

BODY_CHARS = 2000  # the start of the body is where an article says what it is about

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, matching.Index]] = {}


def public_articles():
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def _index(language: str, *, internal: bool = False) -> matching.Index:
    """Published articles in one language: public ones, plus internal ones for agents when `internal`."""
    articles = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED) if internal else public_articles()
    ).filter(language=language)
    key = f"{language}:{'internal' if internal else 'public'}"
    stamp = tuple(articles.aggregate(n=Count("id"), last=Max("updated_at")).values())
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    index = matching.Index()
    for pk, title, body in articles.values_list("pk", "title", "body"):
        index.add(str(pk), [title, html_to_text(body)[:BODY_CHARS]])
    index.build()
    with _lock:
        _cache[key] = (stamp, index)
    return index


def search_articles(query: str, *, language: str, limit: int = 10) -> list[Article]:
    """Published public articles in `language` that match `query`, best first."""
    query = (query or "").strip()[:200]
    if not query:
        return []
    ids = [int(m.entry_id) for m in _index(language).search(query, limit=limit)]
    by_id = public_articles().select_related("category").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def suggest_for_agents(text: str, *, language: str, limit: int = 5) -> list[Article]:
    """Published articles, internal ones included, that may answer a ticket's text (agents only)."""
    text = (text or "").strip()[:1000]
    if not text:
        return []
    ids = [int(m.entry_id) for m in _index(language, internal=True).search(text, limit=limit)]
    by_id = Article.objects.filter(status=ArticleStatus.PUBLISHED).select_related("category").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
