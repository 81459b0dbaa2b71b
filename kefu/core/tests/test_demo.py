"""`kefu demo`: a believable, idempotent demo with a login for every role and personal data encrypted."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from kefu.accounts.models import Team, User
from kefu.accounts.roles import ROLE_PERMISSIONS
from kefu.core import clock
from kefu.core.crypto import lookup_hash
from kefu.core.demo import data
from kefu.core.demo.build import build_demo
from kefu.customers.models import Customer, Identity, Organization
from kefu.customers.rules import normalize_identity
from kefu.knowledge import bot
from kefu.knowledge.models import Article, ArticleStatus, FaqEntry, FaqQuestion, KbCategory, Visibility
from kefu.knowledge.search import search_articles
from kefu.tickets.models import (
    Category,
    CustomField,
    Macro,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketSearchEntry,
)

pytestmark = pytest.mark.django_db

SMALL = {"tickets": 80, "customers": 40}


def _counts() -> dict[str, int]:
    models = [
        User,
        Team,
        Category,
        Priority,
        Tag,
        CustomField,
        Macro,
        Organization,
        Customer,
        Identity,
        Ticket,
        Message,
        Ticket.tags.through,
        KbCategory,
        Article,
        FaqEntry,
        FaqQuestion,
    ]
    return {m.__name__: m.objects.count() for m in models}


def test_running_the_demo_twice_creates_everything_once() -> None:
    """Given a demo already built, when it runs again, then it detects it and no row is added anywhere."""
    first = build_demo(**SMALL)
    after_first = _counts()

    second = build_demo(**SMALL)

    assert first.created and not second.created
    assert _counts() == after_first
    assert after_first["Ticket"] == SMALL["tickets"]
    assert after_first["Customer"] == SMALL["customers"] + 1  # plus the portal customer
    assert after_first["Category"] == len(data.CATEGORIES) and after_first["Macro"] == len(data.MACROS)


def test_demo_has_a_staff_login_for_every_role_and_a_portal_customer() -> None:
    """Every role from accounts.roles has a demo user with the demo password; only admin is a superuser."""
    build_demo(**SMALL)

    staff = User.objects.filter(is_staff=True).prefetch_related("groups")
    roles = {g.name for u in staff for g in u.groups.all()}
    assert roles == set(ROLE_PERMISSIONS)
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]
    assert authenticate(username="agent1", password=data.DEMO_PASSWORD) is not None
    portal = authenticate(username="customer1", password=data.DEMO_PASSWORD)
    assert portal is not None and not portal.is_staff
    assert portal.customer.email == "customer1@example.com"


def test_demo_teams_have_leads_members_and_one_default() -> None:
    build_demo(**SMALL)

    teams = Team.objects.prefetch_related("members")
    assert {t.name for t in teams} == {spec.name for spec in data.TEAMS}
    assert [t.name for t in teams if t.is_default] == ["接线组"]
    assert all(t.lead_id and t.members.all() for t in teams)


def test_demo_has_vip_customers() -> None:
    build_demo(tickets=20, customers=120)

    assert Customer.objects.filter(tier__in=["vip", "svip"]).count() >= 5


def test_demo_identities_are_encrypted_at_rest_and_found_by_lookup_hash() -> None:
    """Given the demo, the identity column holds no readable e-mail or phone, yet lookup finds the customer."""
    build_demo(**SMALL)

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM customers_identity")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and not any("@" in v or v.isdigit() for v in stored)
    assert "customer1@example.com" not in "".join(stored)
    found = Identity.objects.get(
        kind="email", lookup=lookup_hash(normalize_identity("email", " Customer1@Example.com "))
    )
    assert found.value == "customer1@example.com" and found.customer.user.username == "customer1"


def test_demo_tickets_tell_a_consistent_story() -> None:
    """Counters and timestamps agree with each ticket's messages, and everything lies in the past 90 days."""
    build_demo(**SMALL)
    now = clock.now()

    for ticket in Ticket.objects.prefetch_related("messages"):
        messages = list(ticket.messages.all())
        said = [m for m in messages if m.kind != MessageKind.EVENT]
        assert ticket.message_count == len(said)
        assert messages[0].kind == MessageKind.CUSTOMER and messages[0].created_at == ticket.created_at
        assert ticket.updated_at == messages[-1].created_at <= now
        assert (now - ticket.created_at).days <= 90
        assert ticket.last_customer_message_at == max(
            m.created_at for m in said if m.kind == MessageKind.CUSTOMER
        )
        replies = [m.created_at for m in said if m.kind == MessageKind.REPLY]
        assert ticket.first_response_at == (min(replies) if replies else None)
        if ticket.status in (Status.SOLVED, Status.CLOSED):
            assert ticket.solved_at and ticket.assignee_id
        assert (ticket.closed_at is not None) == (ticket.status == Status.CLOSED)
        for event in (m for m in messages if m.kind == MessageKind.EVENT):
            assert event.event_type in ("status_changed", "assigned")
            assert set(event.event_data) in ({"old", "new"}, {"assignee_id", "assignee_name"})


def test_demo_command_prints_the_logins_each_time() -> None:
    out = StringIO()
    call_command("demo", "--tickets", "30", "--customers", "10", stdout=out)
    again = StringIO()
    call_command("demo", stdout=again)

    assert "Demo data created" in out.getvalue()
    assert "already there" in again.getvalue()
    for text in (out.getvalue(), again.getvalue()):
        assert "agent1" in text and "customer1" in text and data.DEMO_PASSWORD in text
    assert Ticket.objects.count() == 30


def test_demo_leaves_out_addresses_that_already_belong_to_a_customer() -> None:
    """Given a real customer who owns customer1@example.com, the demo still builds and does not steal it."""
    owner = Customer.objects.create(name="张三")
    lookup = lookup_hash(normalize_identity("email", data.PORTAL_EMAIL))
    Identity.objects.create(customer=owner, kind="email", value=data.PORTAL_EMAIL, lookup=lookup)

    result = build_demo(**SMALL)

    assert result.created
    assert Identity.objects.get(kind="email", lookup=lookup).customer == owner


def test_demo_publishes_public_help_center_articles_in_both_languages() -> None:
    """The demo fills the help center: published public articles, some with a linked English translation."""
    build_demo(**SMALL)

    public = Article.objects.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)
    assert public.filter(language="zh-hans").count() >= 10
    translations = public.filter(language="en", translation_of__isnull=False)
    assert translations.count() >= 3 and all(a.translation_of.language == "zh-hans" for a in translations)
    assert not Article.objects.exclude(status=ArticleStatus.PUBLISHED).exists()
    assert any("发票" in a.title for a in search_articles("发票", language="zh-hans"))
    assert any("invoice" in a.title.lower() for a in search_articles("invoice", language="en"))


def test_demo_internal_articles_never_reach_the_portal(client) -> None:
    """Internal procedures (e.g. refund approval) are published for agents but absent from the help center."""
    build_demo(**SMALL)
    internal = list(Article.objects.filter(visibility=Visibility.INTERNAL, status=ArticleStatus.PUBLISHED))
    assert internal

    home = client.get("/portal/help/").content.decode()
    found = client.get("/portal/help/search/", {"q": "退款审批"}).content.decode()

    for article in internal:
        assert article.title not in home and article.title not in found
        assert client.get(f"/portal/help/a/{article.pk}/").status_code == 404
    assert all(a.is_public for a in search_articles("退款审批流程", language="zh-hans"))


def test_demo_faq_entries_let_the_bot_answer_common_questions() -> None:
    """Published FAQ entries with several phrasings each, in Chinese and English, that the bot matches."""
    build_demo(**SMALL)

    entries = FaqEntry.objects.filter(is_published=True).prefetch_related("questions")
    assert entries.count() >= 25
    assert all(len(e.questions.all()) >= 3 for e in entries)
    assert {e.language for e in entries} == {"zh-hans", "en"}
    reply = bot.answer("怎么开发票", "zh-hans")
    assert reply.reason == bot.Reason.ANSWERED and "发票" in reply.entry.answer
    assert bot.answer("How do I reset my password?", "en").reason == bot.Reason.ANSWERED


def test_demo_adds_the_knowledge_base_to_a_demo_built_without_one() -> None:
    """A demo from before the help center gets its articles on the next run, and only once."""
    build_demo(**SMALL)
    Article.objects.all().delete()
    FaqEntry.objects.all().delete()

    build_demo(**SMALL)
    after = _counts()
    build_demo(**SMALL)

    assert after["Article"] > 0 and after["FaqEntry"] > 0
    assert _counts() == after


def test_demo_tickets_are_found_by_the_queues_full_text_search() -> None:
    """The demo's tickets are bulk-created past the services, so the build indexes them for search."""
    from kefu.tickets.search import search_tickets

    build_demo(**SMALL)
    ticket = Ticket.objects.exclude(subject="").order_by("pk").first()
    matched = Ticket.objects.filter(search_tickets(ticket.subject).condition)

    assert TicketSearchEntry.objects.count() == Ticket.objects.count()
    assert ticket in matched


def test_demo_has_a_chat_site_for_its_own_host_and_says_where_to_try_it(settings) -> None:
    """`kefu demo` creates one chat site whose allowed origin is the demo's own address (and its loopback twin),
    and prints the widget demo page with the site's key, on every run."""
    from kefu.chat.models import ChatSite

    settings.SITE_URL = "http://127.0.0.1:8000"
    out = StringIO()
    call_command("demo", "--tickets", "5", "--customers", "3", stdout=out)
    call_command("demo", stdout=StringIO())

    [site] = ChatSite.objects.all()
    assert site.allows_origin("http://127.0.0.1:8000") and site.allows_origin("http://localhost:8000")
    assert site.is_active and not site.allows_origin("https://evil.example")
    assert f"http://127.0.0.1:8000/chat/demo/?site={site.key}" in out.getvalue()
