"""Knowledge search: one interface, two engines (SQLite FTS5 and PostgreSQL full-text search).

Text is tokenized here, in Python, the same way for both engines: jieba (search mode, with the user
dictionary of product terms from the database) for Chinese, lower-cased words without stemming for English.
Tokens are stored encoded as plain ASCII words in `SearchEntry.tokens` so that FTS5's unicode61 tokenizer and
PostgreSQL's parser split them identically. The engine finds candidates (any query token, best native rank
first, at most `CANDIDATES`); the final order is one BM25 computed here from the stored tokens and the
engines' document counts, so both databases order the same data the same way (ties: kind, then id).

Internal articles and drafts of the public side never leave the database: `public_only` filters in SQL.
"""

import difflib
import math
import re
import threading
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Avg, Count, Max
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kefu.core.html import html_to_text

from . import matching
from .models import (
    Article,
    ArticleStatus,
    DictionaryWord,
    FaqEntry,
    SearchEntry,
    Synonym,
    Visibility,
)

CANDIDATES = 300  # rows the engine hands to the ranker; more only when a query is very unspecific
DF_CAP = 5000  # document counts stop here: counting every row of a very common word costs, and says little
COMMON = 0.01  # words in more than this share of entries do not pick candidates on their own
STATS_SECONDS = 30.0  # corpus size and mean length, cached this long per process
MAX_QUERY_TOKENS = 12  # a ticket's whole text is a long query: keep its rarest words
TEXT_CHARS = 4000  # the stored plain text (snippets come from it)
TITLE_WEIGHT = 3  # title tokens count this many times
SYNONYM_WEIGHT = 0.8
TYPO_WEIGHT = 0.6
SHORT_QUERY = 3  # typo tolerance applies to queries of at most this many tokens
K1, B = 1.2, 0.75

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"[a-z0-9]+|[\u3400-\u9fff\uf900-\ufaff]+")
_ZH_STOP = matching._ZH_STOP
_EN_STOP = matching._EN_STOP


# --- tokens ------------------------------------------------------------------------------------------


def encode_token(token: str) -> str:
    """ASCII words stay as they are; anything else (Chinese) becomes `u` + its UTF-8 bytes in hex."""
    if _ASCII_WORD.fullmatch(token):
        return token
    return "u" + token.encode("utf-8").hex()


def decode_token(token: str) -> str:
    if token.startswith("u") and len(token) > 1 and len(token) % 2 == 1:
        try:
            return bytes.fromhex(token[1:]).decode("utf-8")
        except ValueError:
            return token
    return token


def search_tokens(text: str) -> list[str]:
    """Surface tokens of a text: jieba search-mode words for Chinese runs, words for the rest."""
    sync_user_dictionary()
    tokens: list[str] = []
    for piece in _TOKEN.findall((text or "").lower()):
        if _ASCII_WORD.fullmatch(piece):
            if piece not in _EN_STOP:
                tokens.append(piece)
            continue
        for word in matching.get_jieba().cut_for_search(piece, HMM=True):
            if word and word not in _ZH_STOP and (len(word) > 1 or len(piece) == 1):
                tokens.append(word)
    return tokens


# --- user dictionary and synonyms, shared across processes through the database -------------------------

_sync_lock = threading.Lock()
_dictionary: dict = {"stamp": None, "words": set(), "checked": 0.0}
_synonyms: dict = {"stamp": None, "groups": {}, "checked": 0.0}
RECHECK_SECONDS = 2.0  # how stale another process's dictionary edit may be here


def sync_user_dictionary(*, force: bool = False) -> None:
    """Teach jieba the product terms from the database (and forget removed ones) when they changed."""
    now = time.monotonic()
    if not force and now - _dictionary["checked"] < RECHECK_SECONDS:
        return
    _dictionary["checked"] = now
    stamp = tuple(DictionaryWord.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if stamp == _dictionary["stamp"]:
        return
    with _sync_lock:
        jieba = matching.get_jieba()
        rows = dict(DictionaryWord.objects.values_list("word", "frequency"))
        for word in _dictionary["words"] - rows.keys():
            jieba.del_word(word)
        for word, frequency in rows.items():
            jieba.add_word(word, freq=frequency)
        _dictionary.update(stamp=stamp, words=set(rows))


def synonym_groups() -> dict[str, list[str]]:
    """token -> the tokens of every synonym group it belongs to (excluding itself)."""
    now = time.monotonic()
    if now - _synonyms["checked"] < RECHECK_SECONDS and _synonyms["stamp"] is not None:
        return _synonyms["groups"]
    _synonyms["checked"] = now
    stamp = tuple(Synonym.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if stamp != _synonyms["stamp"]:
        groups: dict[str, list[str]] = {}
        for synonym in Synonym.objects.all():
            words = [w.lower() for w in synonym.words]
            for word in words:
                groups.setdefault(word, []).extend(w for w in words if w != word)
        _synonyms.update(stamp=stamp, groups=groups)
    return _synonyms["groups"]


def reset_caches() -> None:
    """Forget cached dictionary, synonyms and vocabulary (tests; after bulk loads)."""
    _dictionary.update(stamp=None, checked=0.0)
    _synonyms.update(stamp=None, checked=0.0, groups={})
    _vocabulary.update(stamp=None, words={}, checked=-1e9)
    _corpus.update(at=-1e9)
    _frequencies.clear()


# --- keeping the index in step -----------------------------------------------------------------------


def _entry_fields(*, title: str, text: str, extra: str = "") -> dict:
    title_tokens = search_tokens(title)
    tokens = [encode_token(t) for t in title_tokens * TITLE_WEIGHT + search_tokens(f"{text} {extra}")]
    return {
        "title": title[:300],
        "text": text[:TEXT_CHARS],
        "tokens": " ".join(tokens),
        "length": len(tokens),
    }


def _article_entry(article: Article) -> SearchEntry:
    return SearchEntry(
        kind=SearchEntry.Kind.ARTICLE,
        object_id=article.pk,
        language=article.language,
        category_id=article.category_id,
        is_public=article.visibility == Visibility.PUBLIC,
        **_entry_fields(title=article.title, text=html_to_text(article.body)),
    )


def _faq_entry(entry: FaqEntry, questions: list[str]) -> SearchEntry:
    """The first question is the title, the answer and the other phrasings the text."""
    return SearchEntry(
        kind=SearchEntry.Kind.FAQ,
        object_id=entry.pk,
        language=entry.language,
        category_id=entry.category_id,
        is_public=True,
        **_entry_fields(title=questions[0], text=entry.answer, extra=" ".join(questions[1:])),
    )


def _saved(entry: SearchEntry) -> None:
    fields = {name: getattr(entry, name) for name in _INDEXED_FIELDS}
    SearchEntry.objects.update_or_create(kind=entry.kind, object_id=entry.object_id, defaults=fields)


_INDEXED_FIELDS = ("language", "category_id", "is_public", "title", "text", "tokens", "length")


def index_article(article: Article) -> None:
    """Index a published article (public or internal); drop anything else from the index."""
    _frequencies.clear()
    if article.status != ArticleStatus.PUBLISHED:
        SearchEntry.objects.filter(kind=SearchEntry.Kind.ARTICLE, object_id=article.pk).delete()
        return
    _saved(_article_entry(article))


def index_faq(entry: FaqEntry) -> None:
    """Index a published FAQ entry that has a question; drop anything else from the index."""
    _frequencies.clear()
    questions = list(entry.questions.values_list("text", flat=True))
    if not entry.is_published or not questions:
        SearchEntry.objects.filter(kind=SearchEntry.Kind.FAQ, object_id=entry.pk).delete()
        return
    _saved(_faq_entry(entry, questions))


REINDEX_BATCH = 500  # rows read and written per round trip by rebuild_index


def _in_batches(queryset, size: int):
    """Lists of at most `size` rows of `queryset`, in id order, one query each (keyset, not OFFSET)."""
    last = 0
    while batch := list(queryset.filter(pk__gt=last).order_by("pk")[:size]):
        yield batch
        last = batch[-1].pk


def rebuild_index(*, batch_size: int = REINDEX_BATCH) -> int:
    """Re-tokenize everything published (after the user dictionary changed); returns the entries indexed.

    A fixed number of statements per batch whatever its size: articles are read and inserted in bulk, FAQ
    entries with their questions prefetched. Every entry is tokenized first, outside any transaction: on
    SQLite a transaction that has written holds the database's one write lock, and jieba is slow. Then the
    old index is swapped for the new one in one short transaction, so searches see the old index until the
    end. (An article published meanwhile is indexed again by the next rebuild or its next save.)"""
    sync_user_dictionary(force=True)
    _frequencies.clear()
    articles = [
        _article_entry(article)
        for batch in _in_batches(Article.objects.filter(status=ArticleStatus.PUBLISHED), batch_size)
        for article in batch
    ]
    faqs = [
        _faq_entry(entry, questions)
        for batch in _in_batches(
            FaqEntry.objects.filter(is_published=True).prefetch_related("questions"), batch_size
        )
        for entry in batch
        if (questions := [question.text for question in entry.questions.all()])
    ]
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchEntry.objects.bulk_create(articles, batch_size=batch_size)
        SearchEntry.objects.bulk_create(faqs, batch_size=batch_size)
    return SearchEntry.objects.count()


# --- the two engines -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    language: str | None = None
    category_id: int | None = None
    public_only: bool = True
    kinds: tuple[str, ...] = ()

    def sql(self, alias: str) -> tuple[str, list]:
        parts, params = [], []
        if self.language:
            parts.append(f"{alias}.language = %s")
            params.append(self.language)
        if self.category_id:
            parts.append(f"{alias}.category_id = %s")
            params.append(self.category_id)
        if self.public_only:
            parts.append(f"{alias}.is_public = %s")
            params.append(True)
        if self.kinds:
            parts.append(f"{alias}.kind IN ({', '.join(['%s'] * len(self.kinds))})")
            params.extend(self.kinds)
        return "".join(f" AND {p}" for p in parts), params


class SqliteEngine:
    """FTS5 over SearchEntry.tokens (table `knowledge_fts`, kept in step by triggers)."""

    name = "sqlite-fts5"

    @staticmethod
    def _match(tokens: list[str], operator: str = "OR") -> str:
        return f" {operator} ".join(f'"{t}"' for t in tokens)

    def candidates(
        self, tokens: list[str], filters: Filters, limit: int, *, every: bool = False, ranked: bool = True
    ) -> list[int]:
        where, params = filters.sql("e")
        order = " ORDER BY bm25(knowledge_fts), e.id" if ranked else ""
        sql = (
            # CROSS JOIN: SQLite must drive the loop from the full-text match, not scan entries
            "SELECT e.id FROM knowledge_fts CROSS JOIN knowledge_searchentry e ON e.id = knowledge_fts.rowid"
            f" WHERE knowledge_fts MATCH %s{where}{order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._match(tokens, "AND" if every else "OR"), *params, limit])
            return [row[0] for row in cursor.fetchall()]

    def document_frequencies(self, tokens: list[str]) -> dict[str, int]:
        parts = " UNION ALL ".join(
            "SELECT %s, count(*) FROM (SELECT 1 FROM knowledge_fts WHERE knowledge_fts MATCH %s LIMIT %s)"
            for _ in tokens
        )
        params = [p for t in tokens for p in (t, f'"{t}"', DF_CAP)]
        with connection.cursor() as cursor:
            cursor.execute(parts, params)
            return dict(cursor.fetchall())


class PostgresEngine:
    """PostgreSQL full-text search ('simple' configuration) on a generated tsvector column with a GIN index."""

    name = "postgresql-fts"

    def candidates(
        self, tokens: list[str], filters: Filters, limit: int, *, every: bool = False, ranked: bool = True
    ) -> list[int]:
        where, params = filters.sql("e")
        order = " ORDER BY ts_rank(e.tsv, q) DESC, e.id" if ranked else ""
        sql = (
            "SELECT e.id FROM knowledge_searchentry e, to_tsquery('simple', %s) q"
            f" WHERE e.tsv @@ q{where}{order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [(" & " if every else " | ").join(tokens), *params, limit])
            return [row[0] for row in cursor.fetchall()]

    def document_frequencies(self, tokens: list[str]) -> dict[str, int]:
        parts = " UNION ALL ".join(
            "SELECT %s::text, count(*) FROM (SELECT 1 FROM knowledge_searchentry"
            " WHERE tsv @@ to_tsquery('simple', %s) LIMIT %s) AS hits"
            for _ in tokens
        )
        params = [p for t in tokens for p in (t, t, DF_CAP)]
        with connection.cursor() as cursor:
            cursor.execute(parts, params)
            return dict(cursor.fetchall())


def engine():
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()


# --- typo tolerance ------------------------------------------------------------------------------------

_vocabulary: dict = {"stamp": None, "words": {}, "checked": -1e9}


def _vocabulary_words() -> dict[int, list[str]]:
    """Every indexed token (decoded), by length; rebuilt when the index changed (checked every minute)."""
    now = time.monotonic()
    if _vocabulary["stamp"] is not None and now - _vocabulary["checked"] < 60:
        return _vocabulary["words"]
    _vocabulary["checked"] = now
    stamp = tuple(SearchEntry.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if stamp != _vocabulary["stamp"]:
        words: set[str] = set()
        for tokens in SearchEntry.objects.values_list("tokens", flat=True).iterator(chunk_size=2000):
            words.update(tokens.split())
        by_length: dict[int, list[str]] = {}
        for word in sorted(decode_token(w) for w in words):
            by_length.setdefault(len(word), []).append(word)
        _vocabulary.update(stamp=stamp, words=by_length)
    return _vocabulary["words"]


def close_words(word: str) -> list[str]:
    """Indexed words one typo away (same script, length ±1): 'pasword' → 'password', '退宽' → none."""
    if len(word) < (3 if not _ASCII_WORD.fullmatch(word) else 4):
        return []
    vocabulary = _vocabulary_words()
    pool = [w for n in (len(word) - 1, len(word), len(word) + 1) for w in vocabulary.get(n, [])]
    pool = [w for w in pool if bool(_ASCII_WORD.fullmatch(w)) == bool(_ASCII_WORD.fullmatch(word))]
    return difflib.get_close_matches(word, pool, n=2, cutoff=0.75)


# --- ranking -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    snippet: SafeString
    score: float
    category_id: int | None
    language: str


def _query_terms(query: str, frequencies_of, *, short: bool) -> dict[str, tuple[float, str, int]]:
    """encoded token -> (weight, surface word, document frequency) for the tokens the index holds, with
    synonyms and (for short queries) typo corrections."""
    words = search_tokens(query)
    groups = synonym_groups()
    terms: dict[str, tuple[float, str]] = {}
    for word in words:
        terms.setdefault(encode_token(word), (1.0, word))
        for synonym in groups.get(word, []):
            for token in search_tokens(synonym) or [synonym]:
                terms.setdefault(encode_token(token), (SYNONYM_WEIGHT, token))
    if not terms:
        return {}
    frequencies = frequencies_of(list(terms))
    if short and len(words) <= SHORT_QUERY:
        for word in words:
            if frequencies.get(encode_token(word), 0) == 0:
                for near in close_words(word):
                    terms.setdefault(encode_token(near), (TYPO_WEIGHT, near))
        missing = [t for t in terms if t not in frequencies]
        if missing:
            frequencies.update(frequencies_of(missing))
    present = {t: v for t, v in terms.items() if frequencies.get(t, 0) > 0}
    if len(present) > MAX_QUERY_TOKENS:  # a long text: its rarest words say most about it
        keep = sorted(present, key=lambda t: (frequencies[t], t))[:MAX_QUERY_TOKENS]
        present = {t: present[t] for t in keep}
    return {t: (w, s, frequencies[t]) for t, (w, s) in present.items()}


_corpus: dict = {"at": -1e9, "value": (0, 1.0)}
_frequencies: dict[str, tuple[float, int]] = {}  # token -> (when counted, documents)


def _cached_frequencies(backend, tokens: list[str]) -> dict[str, int]:
    """Document counts, remembered for STATS_SECONDS: common words recur in most queries."""
    now = time.monotonic()
    known = {
        t: _frequencies[t][1]
        for t in tokens
        if t in _frequencies and now - _frequencies[t][0] < STATS_SECONDS
    }
    missing = [t for t in tokens if t not in known]
    if missing:
        counted = backend.document_frequencies(missing)
        if len(_frequencies) > 100_000:
            _frequencies.clear()
        # Zero counts are not remembered: a word of an article published a moment ago must find it.
        _frequencies.update({t: (now, n) for t in missing if (n := counted.get(t, 0))})
        known.update({t: counted.get(t, 0) for t in missing})
    return known


def _stats() -> tuple[int, float]:
    """(entries, mean token count): BM25's corpus figures, cached briefly (they drift slowly)."""
    now = time.monotonic()
    if now - _corpus["at"] > STATS_SECONDS:
        row = SearchEntry.objects.aggregate(n=Count("id"), avg=Avg("length"))
        _corpus.update(at=now, value=(row["n"] or 0, float(row["avg"] or 1.0) or 1.0))
    return _corpus["value"]


def snippet(text: str, words: list[str], *, width: int = 160) -> SafeString:
    """A window of the text around the first matching word, HTML-escaped, with matches in <mark>."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not text:
        return mark_safe("")
    lower = text.lower()
    positions = [p for p in (lower.find(w.lower()) for w in words) if p >= 0]
    start = max(0, min(positions) - width // 4) if positions else 0
    window = text[start : start + width]
    if not words:
        return mark_safe(escape(window))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for found in pattern.finditer(window):
        out.append(escape(window[last : found.start()]))
        out.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    out.append(escape(window[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)


def _candidates(backend, terms: dict, filters: Filters, total: int, limit: int) -> list[int]:
    """Entries with any of the query's distinctive words; entries with all its common words when that
    finds too few. Both are boolean sets, so both engines pick the same candidates (below CANDIDATES)."""
    common = max(50, int(total * COMMON))
    rare = [t for t, (_w, _s, df) in terms.items() if df <= common]
    frequent = [t for t in terms if t not in rare]
    # When the rare words' documents cannot exceed CANDIDATES, all of them are candidates: no native
    # ranking needed (it is the costly part of the query), and the set is the same on both engines.
    ranked = sum(terms[t][2] for t in rare) > CANDIDATES
    ids = backend.candidates(rare, filters, CANDIDATES, ranked=ranked) if rare else []
    if len(ids) < limit and frequent:
        seen = set(ids)
        ids += [i for i in backend.candidates(frequent, filters, CANDIDATES, every=True) if i not in seen]
    if len(ids) < limit and frequent:  # only common words, never together: any of them, best first
        seen = set(ids)
        ids += [i for i in backend.candidates(frequent, filters, CANDIDATES) if i not in seen]
    return ids


def search(
    query: str,
    *,
    language: str | None = None,
    category_id: int | None = None,
    public_only: bool = True,
    kinds: tuple[str, ...] = (),
    limit: int = 10,
    short: bool = True,
) -> list[Hit]:
    """Published knowledge matching `query`, best first, the same order on either engine."""
    query = (query or "").strip()[:1000]
    if not query:
        return []
    backend = engine()
    terms = _query_terms(query, lambda tokens: _cached_frequencies(backend, tokens), short=short)
    if not terms:
        return []
    filters = Filters(language=language, category_id=category_id, public_only=public_only, kinds=kinds)
    total, average = _stats()
    ids = _candidates(backend, terms, filters, total, limit)
    if not ids:
        return []
    rows = SearchEntry.objects.filter(pk__in=ids).values_list("id", "kind", "object_id", "tokens", "length")
    idf = {t: math.log(1 + (total - df + 0.5) / (df + 0.5)) for t, (_w, _s, df) in terms.items()}
    scored = []
    for pk, kind, object_id, tokens, length in rows.iterator(chunk_size=CANDIDATES):
        padded = f" {tokens} "
        norm = K1 * (1 - B + B * length / average)
        score = 0.0
        for token, (weight, _surface, _df) in terms.items():
            tf = padded.count(f" {token} ")
            if tf:
                score += weight * idf[token] * tf * (K1 + 1) / (tf + norm)
        scored.append((-round(score, 9), kind, object_id, pk))  # ties: by what is indexed, not row ids
    scored.sort()
    best = [(negative, pk) for negative, _kind, _object_id, pk in scored[:limit]]
    shown = SearchEntry.objects.in_bulk([pk for _score, pk in best])
    surfaces = [s for (_w, s, _df) in terms.values()]
    return [
        Hit(
            kind=shown[pk].kind,
            object_id=shown[pk].object_id,
            title=shown[pk].title,
            snippet=snippet(shown[pk].text, surfaces),
            score=-negative,
            category_id=shown[pk].category_id,
            language=shown[pk].language,
        )
        for negative, pk in best
    ]


# --- what the pages ask for ------------------------------------------------------------------------------


def public_articles():
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def _articles(hits: list[Hit], queryset) -> list[Article]:
    ids = [h.object_id for h in hits if h.kind == SearchEntry.Kind.ARTICLE]
    by_id = queryset.select_related("category").in_bulk(ids)
    snippets = {h.object_id: h.snippet for h in hits if h.kind == SearchEntry.Kind.ARTICLE}
    articles = []
    for pk in ids:
        if pk in by_id:
            article = by_id[pk]
            article.snippet = snippets[pk]
            articles.append(article)
    return articles


def search_articles(
    query: str, *, language: str, limit: int = 10, category_id: int | None = None
) -> list[Article]:
    """Published public articles in `language` that match `query`, best first (each with `.snippet`)."""
    hits = search(
        query[:200],
        language=language,
        category_id=category_id,
        kinds=(SearchEntry.Kind.ARTICLE,),
        limit=limit,
    )
    return _articles(hits, public_articles())


def search_articles_any_language(
    query: str, *, language: str, limit: int = 10, category_id: int | None = None
) -> list[Article]:
    """Like `search_articles`, then, when `language` has fewer than `limit` matches, the best matches in the
    other languages after them, each marked `.other_language` (the help center falls back, as Zendesk's
    does: "退货" asked in the English help center still finds the Chinese article)."""
    own = search_articles(query, language=language, limit=limit, category_id=category_id)
    if len(own) >= limit:
        return own
    hits = search(
        query[:200],
        language=None,
        category_id=category_id,
        kinds=(SearchEntry.Kind.ARTICLE,),
        limit=limit * 2,
    )
    other = [hit for hit in hits if hit.language != language][: limit - len(own)]
    others = _articles(other, public_articles())
    for article in others:
        article.other_language = True
    return own + others


def suggest_for_agents(text: str, *, language: str | None, limit: int = 5) -> list[Article]:
    """Published articles, internal ones included, that may answer a ticket's text (agents only)."""
    hits = search(
        text,
        language=language,
        public_only=False,
        kinds=(SearchEntry.Kind.ARTICLE,),
        limit=limit,
        short=False,
    )
    return _articles(hits, Article.objects.filter(status=ArticleStatus.PUBLISHED))
