"""Ticket full-text search: subject and message words, SQLite FTS5 or PostgreSQL full-text with a GIN index.

Text is tokenized as the knowledge base does it (`kefu.knowledge.search.search_tokens`: jieba search mode with
the product-term dictionary for Chinese, lower-cased words without stemming for English) and stored, encoded
as plain ASCII words, in one `TicketSearchEntry` per ticket. Customer messages, public replies and internal
notes are all searchable: search serves staff pages and the staff API only, which show notes anyway.

A search is a filter, not a ranking: a ticket matches when it holds every word of the query (English words
also as a prefix: "refu" finds "refund"), and the page keeps its own order. So both engines return the same
tickets in the same order, and the visibility rules are applied by the caller's queryset as for any filter.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from kefu.core.crypto import lookup_hash
from kefu.core.prepared import prepared
from kefu.customers.models import Customer, Identity, IdentityKind
from kefu.customers.rules import normalize_identity
from kefu.knowledge.search import encode_token, search_tokens

from .models import Message, MessageKind, Ticket, TicketSearchEntry

MAX_CHARS = 60_000  # of message text per ticket: a ticket is found by what it is about, not by its 500th mail
MAX_QUERY_TOKENS = 12
CANDIDATES = 1000  # matching tickets a search reads at most (the most recently active ones)
CUSTOMERS = 100  # customers whose name matches, at most
RECENT = 50_000  # newest entries a very common word is looked for in, in order
PREFIX_MIN = 3  # English words this long also match as a prefix
SEARCHABLE_KINDS = (MessageKind.CUSTOMER, MessageKind.REPLY, MessageKind.NOTE)

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ENCODED = re.compile(r"u(?:[0-9a-f]{2})+")


# --- documents ------------------------------------------------------------------------------------------


def _encoded_words(text: str) -> list[str]:
    return [encode_token(t) for t in search_tokens(text)]


def document_tokens(subject: str, texts: Iterable[str], *, words=_encoded_words) -> str:
    """The encoded tokens of a ticket: its subject, then its messages, up to MAX_CHARS of message text."""
    tokens, used = words(subject), 0
    for text in texts:
        if used >= MAX_CHARS:
            break
        text = (text or "")[: MAX_CHARS - used]
        used += len(text)
        tokens = tokens + words(text)
    return " ".join(tokens)


def _message_texts(ticket_ids: list[int]) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {pk: [] for pk in ticket_ids}
    rows = (
        Message.objects.filter(ticket_id__in=ticket_ids, kind__in=SEARCHABLE_KINDS)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "body_text")
    )
    for ticket_id, body in rows.iterator(chunk_size=2000):
        texts[ticket_id].append(body)
    return texts


def index_ticket(ticket_id: int) -> None:
    """Store the ticket's current words (after it was created, got a message or a new subject).

    On SQLite, tokenizing (jieba) happens before the write transaction, so its single writer is not held
    while it runs; under the row lock the text is read again and only re-tokenized if it changed meanwhile.
    Elsewhere only the ticket's row is locked meanwhile: the text is read once, under that lock."""
    seen, tokens = None, ""
    if connection.vendor == "sqlite":
        seen = _indexed_text(ticket_id)
        if seen is None:
            return
        tokens = document_tokens(*seen)
    with transaction.atomic():
        # The ticket's row lock: two jobs indexing the same ticket take turns.
        current = _indexed_text(ticket_id, lock=True)
        if current is None:
            return  # deleted meanwhile: its entry went with it
        if current != seen:
            tokens = document_tokens(*current)
        # Deleted and inserted, not updated: the newest entries are then the most recently active tickets.
        TicketSearchEntry.objects.filter(ticket_id=ticket_id).delete()
        TicketSearchEntry.objects.create(ticket_id=ticket_id, tokens=tokens)


def index_tickets_now(ticket_ids: Iterable[int]) -> None:
    """`index_ticket` for many tickets at once (a batch of new tickets' jobs): two reads, one delete and one
    insert for all of them, in one transaction; tickets gone meanwhile are skipped. As there, SQLite
    tokenizes before the write transaction and again only the texts that changed meanwhile."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return
    seen: dict[int, tuple[str, list[str]]] = {}
    tokens: dict[int, str] = {}
    if connection.vendor == "sqlite":
        seen = _indexed_texts(ids)
        tokens = {pk: document_tokens(*text) for pk, text in seen.items()}
    with transaction.atomic():
        current = _indexed_texts(ids, lock=True)  # the tickets' rows locked, in id order
        for pk, text in current.items():
            if seen.get(pk) != text:
                tokens[pk] = document_tokens(*text)
        TicketSearchEntry.objects.filter(ticket_id__in=list(current)).delete()
        TicketSearchEntry.objects.bulk_create(
            [TicketSearchEntry(ticket_id=pk, tokens=tokens[pk]) for pk in current]
        )


def _indexed_texts(ticket_ids: list[int], *, lock: bool = False) -> dict[int, tuple[str, list[str]]]:
    """`_indexed_text` of many tickets, by id in id order (the tickets still there)."""
    tickets = Ticket.objects.filter(pk__in=ticket_ids).order_by("pk")
    if lock:
        tickets = tickets.select_for_update()
    subjects = dict(tickets.values_list("pk", "subject"))
    texts = _message_texts(list(subjects))
    return {pk: (subject, texts[pk]) for pk, subject in subjects.items()}


def _indexed_text(ticket_id: int, *, lock: bool = False) -> tuple[str, list[str]] | None:
    """The ticket's subject and searchable message texts, or None when the ticket is gone."""
    subject = (_locked_subject if lock else _subject).first(ticket_id)
    if subject is None:
        return None
    return subject, _searchable_texts.all(ticket_id)


# Compiled once: every new ticket and every message reads them (kefu.core.prepared).
@prepared(int)
def _subject(ticket_id):
    return Ticket.objects.filter(pk=ticket_id).values_list("subject", flat=True).order_by()[:1]


@prepared(int)
def _locked_subject(ticket_id):
    return (
        Ticket.objects.select_for_update()
        .filter(pk=ticket_id)
        .values_list("subject", flat=True)
        .order_by()[:1]
    )


@prepared(int)
def _searchable_texts(ticket_id):
    return (
        Message.objects.filter(ticket_id=ticket_id, kind__in=SEARCHABLE_KINDS)
        .order_by("created_at", "id")
        .values_list("body_text", flat=True)
    )


def index_tickets(*, batch: int = 1000, start_after: int = 0, progress=None) -> int:
    """(Re)index every ticket in id order, `batch` per transaction; returns how many were indexed."""
    done, last = 0, start_after
    seen: dict[str, list[str]] = {}  # texts recur (macros, templates, subjects): tokenize each once per run

    def words(text: str) -> list[str]:
        if text not in seen:
            if len(seen) > 50_000:
                seen.clear()
            seen[text] = _encoded_words(text)
        return seen[text]

    while True:
        rows = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "subject")[:batch])
        if not rows:
            return done
        ids = [pk for pk, _subject in rows]
        texts = _message_texts(ids)
        entries = [
            TicketSearchEntry(ticket_id=pk, tokens=document_tokens(subject, texts[pk], words=words))
            for pk, subject in rows
        ]
        with transaction.atomic():
            TicketSearchEntry.objects.filter(ticket_id__in=ids).delete()
            # A ticket the live listener re-indexed meanwhile keeps that (newer) entry.
            TicketSearchEntry.objects.bulk_create(entries, ignore_conflicts=True)
        done, last = done + len(rows), ids[-1]
        if progress:
            progress(done, last)


# --- queries --------------------------------------------------------------------------------------------


def query_terms(text: str) -> list[tuple[str, bool]]:
    """(encoded token, match as prefix) for each word a ticket must hold.

    jieba's search mode gives a long word and its parts ("共和国", "共和"); a ticket whose text was cut
    differently may lack the long form, so only the finest parts are required.
    """
    words = list(dict.fromkeys(search_tokens((text or "")[:1000])))
    finest = [w for w in words if not any(o != w and o in w for o in words)]
    terms = []
    for word in finest[:MAX_QUERY_TOKENS]:
        token = encode_token(word)
        prefix = (
            bool(_ASCII_WORD.fullmatch(word)) and len(word) >= PREFIX_MIN and not _ENCODED.fullmatch(word)
        )
        terms.append((token, prefix))
    return terms


def _sqlite_query(terms: list[tuple[str, bool]], *, newest: bool = False) -> tuple[str, list]:
    match = " AND ".join(f'"{token}"' + ("*" if prefix else "") for token, prefix in terms)
    sql = (
        # CROSS JOIN: SQLite must drive the loop from the full-text match, not scan the entries
        "SELECT e.ticket_id FROM tickets_search_fts CROSS JOIN tickets_ticketsearchentry e"
        " ON e.id = tickets_search_fts.rowid WHERE tickets_search_fts MATCH %s"
    )
    if newest:
        sql += " AND tickets_search_fts.rowid > %s ORDER BY tickets_search_fts.rowid DESC"
    return sql + " LIMIT %s", [match]


def _postgres_query(terms: list[tuple[str, bool]], *, newest: bool = False) -> tuple[str, list]:
    tsquery = " & ".join(token + (":*" if prefix else "") for token, prefix in terms)
    sql = "SELECT e.ticket_id FROM tickets_ticketsearchentry e WHERE e.tsv @@ to_tsquery('simple', %s)"
    if newest:
        sql += " AND e.id > %s ORDER BY e.id DESC"
    return sql + " LIMIT %s", [tsquery]


def _engine_query(terms: list[tuple[str, bool]], *, newest: bool = False) -> tuple[str, list]:
    return (_postgres_query if connection.vendor == "postgresql" else _sqlite_query)(terms, newest=newest)


@dataclass(frozen=True)
class TicketSearch:
    """What a search matched: `condition` for a queryset; `capped` when more tickets hold the words than
    CANDIDATES (then the condition covers some of them, the most recently active first)."""

    condition: Q
    capped: bool = False


def search_tickets(text: str) -> TicketSearch:
    """Tickets whose subject or messages hold every word of `text`, whose customer's name contains it, whose
    customer has it as e-mail address or phone number (whole), or whose number it is (`#12`). Apply `.condition` to a queryset that already has the user's visibility.

    The ids are read first: customers by name and tickets by words, at most CANDIDATES + 1 of them in no
    order (the engine's index alone answers that, whatever the number of tickets). When the words are in
    more tickets than that, a second look takes the matches among the RECENT most recently written entries
    (entries are re-written when a ticket changes, see index_ticket): the page then shows recent activity
    first, and its query starts from at most two CANDIDATES ids, never from every ticket.
    """
    text = (text or "").strip()[:200]
    if not text:
        return TicketSearch(Q(pk__in=[]))
    ids: list[int] = []
    number = text.lstrip("#")
    if number.isdecimal() and len(number) < 18:
        ids.append(int(number))
    by_name = _customers_named(text).values("pk").order_by()[:CUSTOMERS]
    name_sql, name_params = by_name.query.sql_with_params()
    parts, params = [f"SELECT 0, by_name.pk FROM ({name_sql}) AS by_name"], list(name_params)
    identity = _identity_lookup(text)
    if identity:
        # E-mails and phone numbers are stored encrypted: found whole, by their keyed hash (unique index).
        by_identity = Identity.objects.filter(kind=identity[0], lookup=identity[1]).values("customer_id")
        identity_sql, identity_params = by_identity.order_by().query.sql_with_params()
        parts.append(f"SELECT 0, by_identity.customer_id FROM ({identity_sql}) AS by_identity")
        params += identity_params
    terms = query_terms(text)
    if terms:
        text_sql, text_params = _engine_query(terms)
        parts.append(f"SELECT 1, by_text.ticket_id FROM ({text_sql}) AS by_text")
        params += [*text_params, CANDIDATES + 1]
    with connection.cursor() as cursor:  # both lookups in one statement
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    customers = [pk for kind, pk in rows if kind == 0]
    found = [pk for kind, pk in rows if kind == 1]
    if len(found) > CANDIDATES:
        found = _recent_matches(terms) + found[:CANDIDATES]
    ids += found
    if customers:
        # Placeholders, not id_list: ORed with a one-parameter list, PostgreSQL read every ticket (a hashed
        # subplan) instead of combining the two indexes.
        condition = Q(pk__in=ids) | Q(customer_id__in=customers)
    else:
        condition = Q(pk__in=id_list(ids)) if ids else Q(pk__in=[])
    return TicketSearch(condition, capped=len(ids) > CANDIDATES or len(customers) >= CUSTOMERS)


def _customers_named(text: str) -> QuerySet[Customer]:
    """Customers whose name contains `text` (any case). On PostgreSQL each length has its index (customers
    migration 0002): trigrams from three characters on, the names' one- and two-character pieces below that.
    SQLite scans the customers table — narrow, and a tenth of the tickets."""
    if connection.vendor == "postgresql" and len(text) < 3:
        piece = RawSQL("kefu_name_grams(name) @> ARRAY[upper(%s)]", [text], output_field=BooleanField())
        return Customer.objects.filter(piece)
    return Customer.objects.filter(name__icontains=text)


_PHONE_LIKE = re.compile(r"\+?[\d\s-]{7,20}")


def _identity_lookup(text: str) -> tuple[str, str] | None:
    """(kind, lookup hash) when `text` is a whole e-mail address or phone number, else None."""
    if "@" in text and " " not in text:
        kind = IdentityKind.EMAIL
    elif _PHONE_LIKE.fullmatch(text):
        kind = IdentityKind.PHONE
    else:
        return None
    normalized = normalize_identity(kind, text)
    return (kind, lookup_hash(normalized)) if normalized else None


def _recent_matches(terms: list[tuple[str, bool]]) -> list[int]:
    """Tickets holding the words among the RECENT newest entries, newest first (a bounded walk)."""
    newest = TicketSearchEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sql, params = _engine_query(terms, newest=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, newest - RECENT, CANDIDATES])
        return [row[0] for row in cursor.fetchall()]


def filter_tickets(queryset: QuerySet[Ticket], text: str) -> tuple[QuerySet[Ticket], bool]:
    """`queryset` (visibility and filters applied) narrowed to the tickets matching `text`; and whether the
    search was capped (see TicketSearch).

    The matching ids that pass the queryset's own conditions are read first, without order or limit: at
    most a few thousand primary-key lookups. Given only the search condition, PostgreSQL may walk the
    page's sort index hoping to meet matches early, and walks every visible ticket when none of them
    matches; an exact list of ids leaves it no such gamble.
    """
    search = search_tickets(text)
    ids = list(queryset.filter(search.condition).order_by().values_list("pk", flat=True))
    return queryset.filter(pk__in=id_list(ids)), search.capped


def id_list(ids: list[int]):
    """`pk__in=id_list(ids)`: the ids as one parameter (a PostgreSQL array, a JSON text on SQLite) instead
    of one placeholder each. A search's few thousand ids cost ~2 µs each to compile as placeholders,
    twice per page: 6 ms of CPU of a 28 ms search page (issue 7)."""
    if len(ids) < 50:
        return ids
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return ids
