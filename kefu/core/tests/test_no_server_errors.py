"""Bad input gets a clear error, never a 500: a sweep over every URL Kefu serves.

The sweep walks Django's URL resolver (pages, htmx fragments, the REST API, the portal, the help center,
the chat widget's endpoints), fills each path argument with an existing object, a missing id and garbage
(where the converter lets garbage through), and sends malformed query strings and bodies as every kind of
visitor. Whatever the view answers (400, 403, 404, a redirect, a form with errors), it must not be a 500.
Exceptions become 500 responses (`raise_request_exception = False`) so every failure is counted and all
of them are reported together in one message.

Django's own admin (admin/) is left out: it is Django's code and the superuser's alone.
"""

from __future__ import annotations

import json
import logging
import random
import re
import traceback
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kefu.accounts.models import Team
from kefu.chat.models import ChatSite
from kefu.connectors.email.models import Mailbox, ProcessedMail, QuarantinedMail
from kefu.connectors.email.tests.factories import MailboxFactory
from kefu.core import clock
from kefu.core.demo import data as demo_data
from kefu.core.demo.build import build_demo
from kefu.customers.models import Customer
from kefu.knowledge.models import Article, ArticleAttachment, ArticleRevision, FaqEntry, KbCategory
from kefu.quality.models import Review
from kefu.routing.models import IntakeRule
from kefu.sla.models import BusinessCalendar, SlaPolicy
from kefu.surveys import services as survey_services
from kefu.surveys.models import Survey
from kefu.tickets.models import Attachment, Category, LinkKind, Ticket, TicketLink

pytestmark = pytest.mark.django_db

MISSING_ID = "987654321"
HUGE_ID = "9" * 30  # wider than any database integer
GARBAGE = "no-such-thing"
LONG = "x" * 20_000

# Query parameters the views and API filters read: each gets nonsense in every malformed query string.
QUERY_KEYS = (
    "view",
    "page",
    "sort",
    "ordering",
    "status",
    "priority",
    "team",
    "assignee",
    "category",
    "channel",
    "tag",
    "tags",
    "q",
    "query",
    "s",
    "days",
    "since",
    "until",
    "before",
    "after",
    "date",
    "from",
    "to",
    "updated_after",
    "updated_before",
    "created_after",
    "created_before",
    "cursor",
    "page_size",
    "limit",
    "agent",
    "scorecard",
    "kind",
    "state",
    "type",
    "lang",
    "language",
    "v",
    "version",
    "show",
    "subject",
    "customer",
    "role",
    "presence",
    "tier",
    "email",
    "phone",
    "answered",
    "critical_failed",
    "next",
    "site",
    "action",
    "actor",
    "object",
    "direction",
    "c",
    "download",
    "token",
    "text",
    "helpful",
    "level",
    "active",
)
MALFORMED_QUERIES: dict[str, dict[str, str | list[str]]] = {
    "unknown values": {key: "bogus" for key in QUERY_KEYS},
    "negative numbers": {key: "-1" for key in QUERY_KEYS},
    "huge numbers": {key: HUGE_ID for key in QUERY_KEYS},
    "NUL characters": {key: "a\x00b" for key in QUERY_KEYS},
    "bad dates": {key: "0001-01-01T00:00:00+14:00" for key in QUERY_KEYS},
    "digits that are not decimal": {
        key: "\u00b2" for key in QUERY_KEYS
    },  # "²".isdigit(), but int() refuses it
    "repeated keys": {key: ["1", "bogus", ""] for key in QUERY_KEYS},
    "long strings": {key: "x" * 3000 for key in QUERY_KEYS[:8]},
}

# Form and JSON fields the views, forms and serializers read.
BODY_KEYS = (
    "subject",
    "body",
    "html",
    "status",
    "priority",
    "category",
    "team",
    "assignee",
    "assignee_id",
    "tags",
    "add_tag",
    "customer",
    "customer_name",
    "customer_email",
    "customer_phone",
    "custom_fields",
    "channel",
    "severity",
    "macro",
    "note",
    "reason",
    "kind",
    "number",
    "name",
    "name_en",
    "email",
    "phone",
    "tier",
    "organization",
    "username",
    "password",
    "new_password1",
    "new_password2",
    "old_password",
    "display_name",
    "language",
    "timezone",
    "presence",
    "role",
    "level",
    "is_active",
    "active",
    "direction",
    "action",
    "title",
    "question",
    "questions",
    "answer",
    "text",
    "helpful",
    "comment",
    "score",
    "csat",
    "rating",
    "scorecard",
    "agent",
    "version",
    "next",
    "to",
    "target",
    "rule",
    "conditions",
    "actions",
    "position",
    "token",
    "site",
    "conversation",
    "client_id",
    "visitor",
    "lang",
    "attachments",
    "ids",
    "selected",
    "members",
    "lead",
    "description",
    "targets",
    "hours",
    "dates",
    "max_chats",
    "code",
    "choices_text",
)
FORM_BODIES: dict[str, dict] = {
    "empty form": {},
    "unknown values": {key: "bogus" for key in BODY_KEYS},
    "negative and huge numbers": {key: ("-1" if i % 2 else HUGE_ID) for i, key in enumerate(BODY_KEYS)},
    "NUL characters": {key: "a\x00b" for key in BODY_KEYS},
    "digits that are not decimal": {key: "\u00b2" for key in BODY_KEYS},
    "lists for single values": {key: ["1", "2", "bogus"] for key in BODY_KEYS},
    "overly long strings": {key: LONG for key in BODY_KEYS},
}
JSON_BODIES: dict[str, str] = {
    "invalid JSON": '{"subject": "half',
    "a list instead of an object": "[1, 2, 3]",
    "a bare string": '"hello"',
    "wrong types": json.dumps(
        {
            key: ({"nested": [1]} if i % 3 == 0 else [1, "x"] if i % 3 == 1 else 12.5)
            for i, key in enumerate(BODY_KEYS)
        }
    ),
    "nulls": json.dumps(dict.fromkeys(BODY_KEYS)),
    "NUL characters": json.dumps({key: "a\x00b" for key in BODY_KEYS}),
    "huge numbers": json.dumps({key: 10**30 for key in BODY_KEYS}),
    "digits that are not decimal": json.dumps({key: "\u00b2" for key in BODY_KEYS}),
    "overly long strings": json.dumps({key: LONG for key in BODY_KEYS}),
}
RAW_BODIES: dict[str, tuple[str, bytes]] = {
    "multipart without a boundary": (
        "multipart/form-data",
        b"--x\r\nContent-Disposition: form-data\r\n\r\nx",
    ),
    "truncated multipart": (
        "multipart/form-data; boundary=BoUnDaRy",
        b'--BoUnDaRy\r\nContent-Disposition: form-data; name="body"\r\n\r\nhello\r\n--BoUnDaRy\r\n'
        b'Content-Disposition: form-data; name="attachments"; filename="../../etc/\x00passwd"\r\n'
        b"Content-Type: text/plain\r\n\r\nno end",
    ),
    "binary form body": ("application/x-www-form-urlencoded", b"\xff\xfe%zz=%%&subject=\xc3\x28"),
}


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route text, its namespaced name and its path arguments' regexes."""

    template: str  # e.g. "agent/tickets/<pk>/reply/" with the regex groups' names in angle brackets
    name: str
    args: dict[str, str]  # argument name -> the regex its value must match

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/")


def _routes() -> list[Route]:
    """Every URL pattern outside Django's admin, in resolver order."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            text = prefix + _route_text(entry)
            if isinstance(entry, URLResolver):
                if text.startswith("admin/"):
                    continue
                walk(entry, text, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern):
                regex = _full_regex(text)
                args = {m.group(1): m.group(2) for m in re.finditer(r"\(\?P<(\w+)>([^)]*)\)", regex)}
                template = re.sub(r"\\(.)", r"\1", re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", regex))
                found.append(Route(template=template, name=f"{namespace}{entry.name}", args=args))

    walk(get_resolver(), "", "")
    return found


def _route_text(entry: URLPattern | URLResolver) -> str:
    pattern = entry.pattern
    regex = pattern.regex.pattern
    return regex.removeprefix("^").removesuffix("\\Z").removesuffix("$")


def _full_regex(text: str) -> str:
    """The concatenated route regex with escaped dots unescaped and a catch-all filled in."""
    return text.replace("\\.", ".").replace(".*", "no/such/endpoint")


# --- the objects to aim at ---------------------------------------------------------------------------------


def _pk(model: type[Model], **filters) -> str:
    obj = model.objects.filter(**filters).order_by("pk").first()
    return str(obj.pk) if obj is not None else MISSING_ID


def _existing_arguments(persona_ids: set[int]) -> dict[str, Callable[[], dict[str, str]]]:
    """Per route name: the path arguments that name objects that exist (when the demo has one)."""
    User = get_user_model()  # noqa: N806
    ticket = lambda: _pk(Ticket, customer__user__username=demo_data.PORTAL_USERNAME)  # noqa: E731
    link = TicketLink.objects.order_by("pk").first()
    article = lambda: _pk(Article)  # noqa: E731
    revision = ArticleRevision.objects.order_by("pk").first()
    article_file = ArticleAttachment.objects.order_by("pk").first()
    # An open survey, so its page reads the answer (a closed one answers 410 before looking at it).
    surveys = Survey.objects.select_related("ticket").order_by("pk")
    survey = next((s for s in surveys if survey_services.is_open(s)), surveys.first())
    site = ChatSite.objects.order_by("pk").first()
    # Pages that change a user are aimed at a colleague, so the sweep's own logins stay as they are.
    colleague_user = User.objects.exclude(pk__in=persona_ids).filter(is_staff=True).order_by("pk").first()
    colleague = lambda: str(colleague_user.pk) if colleague_user else MISSING_ID  # noqa: E731
    return {
        "workspace:ticket": lambda: {"pk": ticket()},
        "workspace:unlink": lambda: (
            {"pk": str(link.source_id), "link_pk": str(link.pk)}
            if link
            else {"pk": ticket(), "link_pk": MISSING_ID}
        ),
        "workspace:attachment": lambda: {"pk": _pk(Attachment)},
        "workspace:customer": lambda: {"pk": _pk(Customer)},
        "workspace:knowledge_article": lambda: {"pk": article()},
        "workspace:knowledge_file_delete": lambda: {
            "pk": str(article_file.article_id) if article_file else article(),
            "key": getattr(article_file, "key", GARBAGE) or GARBAGE,
        },
        "workspace:knowledge_diff": lambda: {
            "pk": str(revision.article_id) if revision else article(),
            "version": str(getattr(revision, "version", 1)),
        },
        "workspace:knowledge_faq": lambda: {"pk": _pk(FaqEntry)},
        "quality:release": lambda: {"pk": ticket()},
        "quality:review": lambda: {"pk": ticket()},
        "portal:ticket": lambda: {"pk": ticket()},
        "portal:attachment": lambda: {"pk": _pk(Attachment)},
        "portal:help:category": lambda: {
            "slug": getattr(KbCategory.objects.order_by("pk").first(), "slug", GARBAGE)
        },
        "portal:help:article": lambda: {"pk": article()},
        "portal:help:file": lambda: {"key": getattr(article_file, "key", "a" * 24) or "a" * 24},
        "surveys:answer": lambda: {"token": getattr(survey, "token", GARBAGE) or GARBAGE},
        "email_channel:mailbox_edit": lambda: {"pk": _pk(Mailbox)},
        "email_channel:quarantine_raw": lambda: {"pk": _pk(QuarantinedMail)},
        "email_channel:original": lambda: {"pk": _pk(ProcessedMail)},
        "administration:user_edit": lambda: {"pk": colleague()},
        "administration:team_edit": lambda: {"pk": _pk(Team)},
        "administration:routing_rule_edit": lambda: {"pk": _pk(IntakeRule)},
        "administration:calendar_edit": lambda: {"pk": _pk(BusinessCalendar)},
        "administration:sla_policy_edit": lambda: {"pk": _pk(SlaPolicy)},
        "administration:chat_site_edit": lambda: {"pk": str(site.pk) if site else MISSING_ID},
        "administration:config": lambda: {"section": "categories"},
        "administration:config_edit": lambda: {"section": "categories", "pk": _pk(Category)},
        "api:ticket-detail": lambda: {"pk": ticket()},
        "api:ticket-message-list": lambda: {"ticket_pk": ticket()},
        "api:customer-detail": lambda: {"pk": _pk(Customer)},
        "api:user-detail": lambda: {"pk": colleague()},
        "api:team-detail": lambda: {"pk": _pk(Team)},
        "api:survey-detail": lambda: {"pk": str(survey.pk) if survey else MISSING_ID},
        "api:quality-review-detail": lambda: {"pk": _pk(Review)},
        "api:attachment-download": lambda: {"pk": _pk(Attachment)},
        "webchat:upload": lambda: {"site_key": getattr(site, "key", GARBAGE) or GARBAGE},
        "webchat:file": lambda: {"token": GARBAGE},
    }


def _family(name: str) -> str:
    """Routes under one object share its arguments: `workspace:reply` aims where `workspace:ticket` does."""
    families = {
        "workspace:": {
            "reply": "ticket",
            "update_fields": "ticket",
            "assign_me": "ticket",
            "macro": "ticket",
            "escalate": "ticket",
            "link": "ticket",
            "knowledge_suggestions": "ticket",
            "knowledge_draft_faq": "ticket",
            "customer_edit": "customer",
            "customer_reveal": "customer",
            "knowledge_article_edit": "knowledge_article",
            "knowledge_article_status": "knowledge_article",
            "knowledge_files": "knowledge_article",
            "knowledge_restore": "knowledge_diff",
            "knowledge_faq_edit": "knowledge_faq",
        },
        "portal:": {"reply": "ticket", "close": "ticket"},
        "portal:help:": {"rate": "article"},
        "email_channel:": {
            "mailbox_test": "mailbox_edit",
            "mailbox_delete": "mailbox_edit",
            "quarantine_reprocess": "quarantine_raw",
        },
        "administration:": {
            "user_active": "user_edit",
            "routing_rule_delete": "routing_rule_edit",
            "routing_rule_move": "routing_rule_edit",
            "calendar_delete": "calendar_edit",
            "sla_policy_active": "sla_policy_edit",
            "sla_policy_move": "sla_policy_edit",
            "sla_policy_delete": "sla_policy_edit",
            "config_create": "config",
            "config_delete": "config_edit",
        },
        "webchat:": {"survey": "upload"},
    }
    namespace, _, short = name.rpartition(":")
    return f"{namespace}:{families.get(namespace + ':', {}).get(short, short)}"


def _argument_sets(
    route: Route, existing: dict[str, Callable[[], dict[str, str]]]
) -> Iterator[tuple[str, dict]]:
    """(label, arguments): an existing object, a missing id, a huge id and garbage, where the regex allows."""
    if not route.args:
        yield "", {}
        return
    aimed = existing.get(_family(route.name))
    base = aimed() if aimed else {}
    filled = {name: base.get(name, "1") for name in route.args}
    yield "existing", filled
    for label, value in (("missing", MISSING_ID), ("huge", HUGE_ID), ("garbage", GARBAGE), ("dots", "..%00")):
        variant = {**filled}
        changed = False
        for name, regex in route.args.items():
            if re.fullmatch(regex, value.replace("%00", "\x00")):
                variant[name] = value
                changed = True
        if changed:
            yield label, variant


def _path(route: Route, arguments: dict[str, str]) -> str:
    path = "/" + route.template
    for name, value in arguments.items():
        path = path.replace(f"<{name}>", value)
    return path


# --- the sweep ---------------------------------------------------------------------------------------------


@dataclass
class Sweep:
    clients: dict[str, Client]
    failures: list[str]
    requests: int = 0

    def send(self, persona: str, method: str, path: str, label: str, **kwargs) -> HttpResponse:
        client = self.clients[persona]
        self.requests += 1
        response = getattr(client, method)(path, **kwargs)
        if response.status_code >= 500:
            exc_info = getattr(response, "exc_info", None)
            reason = ""
            if exc_info:
                last = traceback.extract_tb(exc_info[2])[-1]
                reason = f": {exc_info[0].__name__}: {str(exc_info[1])[:160]} ({last.filename}:{last.lineno})"
            self.failures.append(
                f"{method.upper()} {path[:120]!r} [{label}] as {persona} -> {response.status_code}{reason}"
            )
        return response


@pytest.fixture
def personas(db) -> dict[str, object]:
    """The demo's data (small) and one login of every kind."""
    build_demo(tickets=30, customers=10, seed=7)
    _objects_the_demo_lacks()
    User = get_user_model()  # noqa: N806
    by_role = {spec.role: spec.username for spec in demo_data.STAFF}
    return {
        "anonymous": None,
        "customer": User.objects.get(username=demo_data.PORTAL_USERNAME),
        "agent": User.objects.get(username=by_role["agent"]),
        "supervisor": User.objects.get(username=by_role["supervisor"]),
        "admin": User.objects.get(username=by_role["admin"]),
    }


def _objects_the_demo_lacks() -> None:
    """A file on a message, a linked ticket, a mailbox with mail in and in quarantine, an intake rule."""
    first, second = Ticket.objects.filter(customer__user__username=demo_data.PORTAL_USERNAME).order_by("pk")[
        :2
    ]
    message = first.messages.order_by("pk").first()
    Attachment.objects.create(
        message=message,
        file=ContentFile(b"hello", name="hello.txt"),
        filename="hello.txt",
        size=5,
        created_at=clock.now(),
    )
    TicketLink.objects.create(
        source=first, target=second, kind=LinkKind.choices[0][0], created_at=clock.now()
    )
    mailbox = MailboxFactory(port=1)  # nothing listens there: a connection test fails at once
    ProcessedMail.objects.create(
        mailbox=mailbox, mail_id="<m1@example.com>", ticket=first, raw=b"Subject: x\r\n\r\nx"
    )
    QuarantinedMail.objects.create(mailbox=mailbox, raw=b"\xff\xfe not mail", size=10, error="unreadable")
    IntakeRule.objects.create(name="VIP first", words=["refund"])


def _clients(personas: dict[str, object]) -> dict[str, Client]:
    clients = {}
    for name, user in personas.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[name] = client
    return clients


def _ordered(routes: list[Route]) -> list[Route]:
    """Logging out last: a logout would turn the rest of a persona's sweep into an anonymous one."""
    return sorted(routes, key=lambda route: "logout" in route.template or "setlang" in route.template)


def test_the_sweep_reaches_every_area_of_kefu():
    """A guard on the walker itself: a broken one would make the sweep below pass by sending nothing."""
    templates = [route.template for route in _routes()]

    assert len(templates) > 100
    for area in ("agent/", "api/v1/", "manage/", "quality/", "survey/", "portal/help/", "chat/", "accounts/"):
        assert any(template.startswith(area) for template in templates), area
    assert not [template for template in templates if re.search(r"[\\^$()]", template)]


def test_the_sweep_aims_at_objects_that_exist(personas):
    """Every route with an object in its path is sent to one that exists, not only to a 404."""
    persona_ids = {user.pk for user in personas.values() if user is not None}
    missing = {
        name: arguments
        for name, make in _existing_arguments(persona_ids).items()
        if MISSING_ID in (arguments := make()).values()
    }

    assert not missing


def test_no_url_answers_a_malformed_request_with_a_server_error(personas, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    logging.disable(logging.CRITICAL)  # 500s are collected below; their log lines would only be noise
    try:
        sweep = Sweep(clients=_clients(personas), failures=[])
        persona_ids = {user.pk for user in personas.values() if user is not None}
        existing = _existing_arguments(persona_ids)
        for route in _ordered(_routes()):
            for arg_label, arguments in _argument_sets(route, existing):
                path = _path(route, arguments)
                _sweep_route(sweep, route, path, arg_label)
    finally:
        logging.disable(logging.NOTSET)
    assert sweep.requests > 1000
    assert not sweep.failures, (
        f"{len(sweep.failures)} server errors in {sweep.requests} requests:\n" + "\n".join(sweep.failures)
    )


PERSONAS = ("anonymous", "customer", "agent", "supervisor", "admin")
PUBLIC_PREFIXES = ("portal/", "survey/", "chat/", "accounts/", "i18n/")


def _variants(route: Route) -> Iterator[tuple[str, str, dict]]:
    """(method, label, client keyword arguments) of every malformed request aimed at one URL."""
    for label, params in MALFORMED_QUERIES.items():
        yield "get", f"GET {label}", {"data": params}
    # All keys at once can hide a failure behind the first refusal: a few keys at a time, fixed per URL.
    rng = random.Random(zlib.crc32(route.template.encode()))
    bad_values = [value for params in MALFORMED_QUERIES.values() for value in params.values()]
    for _round in range(3):
        params = {key: rng.choice(bad_values) for key in rng.sample(QUERY_KEYS, 3)}
        yield "get", f"GET a few keys {sorted(params)}", {"data": params}
    yield "get", "GET with a garbled Accept-Language", {"headers": {"Accept-Language": "zz-\x7f;q=abc," * 50}}
    yield (
        "get",
        "GET over htmx",
        {"data": MALFORMED_QUERIES["unknown values"], "headers": {"HX-Request": "true"}},
    )
    for label, body in FORM_BODIES.items():
        yield "post", f"POST {label}", {"data": body}
    yield "post", "POST odd files", {"data": _odd_files()}
    yield "post", "POST over htmx", {"data": FORM_BODIES["unknown values"], "headers": {"HX-Request": "true"}}
    json_bodies = (
        JSON_BODIES if route.is_api else {k: JSON_BODIES[k] for k in ("invalid JSON", "wrong types")}
    )
    for method in ("post", "patch", "put") if route.is_api else ("post",):
        for label, body in json_bodies.items():
            yield method, f"{method.upper()} {label}", {"data": body, "content_type": "application/json"}
    for label, (content_type, raw) in RAW_BODIES.items():
        yield "post", f"POST {label}", {"data": raw, "content_type": content_type}
    if route.is_api:
        for label, key in (("with a control character", "a\x01b"), ("overly long", "k" * 5000)):
            headers = {"Idempotency-Key": key}
            body = JSON_BODIES["wrong types"]
            yield (
                "post",
                f"POST Idempotency-Key {label}",
                {"data": body, "content_type": "application/json", "headers": headers},
            )


def _odd_files() -> dict:
    """Well-formed uploads with what a careless client sends: an empty file, a path and a right-to-left
    override in the name, a 300-character name, bytes that are no text."""
    files = {
        "attachments": [
            SimpleUploadedFile("..\\..\\evil\u202egpj.exe", b""),
            SimpleUploadedFile("n" * 300 + ".txt", b"\x00\xff\xfe"),
        ],
        "file": SimpleUploadedFile("/etc/passwd", b"\xff" * 64, content_type="image/png"),
        "files": [SimpleUploadedFile("   .txt", b"x"), SimpleUploadedFile(".htaccess", b"x", content_type="")],
    }
    return {**files, "body": "hello", "subject": "hello", "client_id": "c1"}


def _sweep_route(sweep: Sweep, route: Route, path: str, arg_label: str) -> None:
    """Everyone sends the plain GET; the malformed requests go in turn to those the page lets in.

    A persona the plain GET turns away (login page, 401, 403) would only be turned away again, so the
    variants rotate over the others: each variant is sent once per URL, by a different persona in turn."""
    where = f"{arg_label} " if arg_label else ""
    admitted = []
    for persona in PERSONAS:
        response = sweep.send(persona, "get", path, f"{where}plain")
        if response.status_code not in (401, 403) and "/login/" not in response.get("Location", ""):
            admitted.append(persona)
    if arg_label not in ("", "existing"):
        # A missing object needs no malformed body to prove a 404.
        sweep.send((admitted or ["admin"])[0], "post", path, f"{where}POST empty form", data={})
        return
    if not route.template.startswith(PUBLIC_PREFIXES):
        admitted = [persona for persona in admitted if persona not in ("anonymous", "customer")]
    turn = admitted or ["admin"]
    for index, (method, label, kwargs) in enumerate(_variants(route)):
        persona = turn[(index + sweep.requests) % len(turn)]
        sweep.send(persona, method, path, f"{where}{label}", **kwargs)
