"""The knowledge base in the workspace: who reads and writes, the editor's pages, history with diff and
restore, suggested articles on the ticket page, and drafting an FAQ entry from a solved ticket."""

import re

import pytest
from django.urls import reverse

from kefu.accounts import roles
from kefu.knowledge import search, services
from kefu.knowledge.models import Article, FaqEntry
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches():
    search.reset_caches()


@pytest.fixture
def senior(front_line):
    return UserFactory(username="senior", roles=[roles.SENIOR_AGENT], teams=[front_line])


@pytest.fixture
def refund_articles(senior):
    def published(title, body, **kwargs):
        article = services.create_article(actor=senior, title=title, body=body, **kwargs)
        return services.publish_article(actor=senior, article=article)

    return {
        "public": published("如何申请退款", "<p>在订单页点击申请退款。</p>"),
        "internal": published(
            "退款审批内部流程", "<p>仅供客服：发货前的退款直接审批。</p>", visibility="internal"
        ),
    }


@pytest.mark.parametrize(
    ("role", "writes"),
    [
        (roles.AGENT, False),
        (roles.TECH_SUPPORT, False),
        (roles.SENIOR_AGENT, True),
        (roles.TRAINER, True),
        (roles.SUPERVISOR, True),
        (roles.ADMIN, True),
    ],
)
def test_roles_read_and_write_the_knowledge_base(db, role, writes):
    user = type(UserFactory()).objects.get(pk=UserFactory(roles=[role]).pk)
    assert user.has_perm("knowledge.view_article")
    assert services.can_manage(user) is writes


def test_agents_read_internal_articles_but_cannot_open_the_editor(client, agent, refund_articles):
    client.force_login(agent)
    page = client.get(reverse("workspace:knowledge")).content.decode()
    assert "退款审批内部流程" in page and "New article" not in page and "新建文章" not in page
    assert (
        client.get(reverse("workspace:knowledge_article", args=[refund_articles["internal"].pk])).status_code
        == 200
    )
    assert client.get(reverse("workspace:knowledge_article_new")).status_code == 403


def test_customers_cannot_enter_the_workspace_knowledge_base(client, customer_user, refund_articles):
    client.force_login(customer_user)
    assert client.get(reverse("workspace:knowledge")).status_code == 403


def test_knowledge_list_runs_a_fixed_number_of_queries(
    client, senior, refund_articles, django_assert_max_num_queries
):
    client.force_login(senior)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("workspace:knowledge"))
    assert response.status_code == 200


def test_workspace_search_includes_internal_articles_with_highlighted_snippets(
    client, agent, refund_articles
):
    client.force_login(agent)
    page = client.get(reverse("workspace:knowledge"), {"q": "退款审批"}).content.decode()
    assert "退款审批内部流程" in page and "<mark>" in page


def test_writer_creates_edits_publishes_and_restores_an_article(client, senior):
    client.force_login(senior)
    # create
    response = client.post(
        reverse("workspace:knowledge_article_new"),
        {"title": "发票说明", "body": "<p>第一版</p>", "language": "zh-hans", "visibility": "public"},
    )
    article = Article.objects.get(title="发票说明")
    assert response.status_code == 302
    # edit → version 2
    client.post(
        reverse("workspace:knowledge_article_edit", args=[article.pk]),
        {
            "title": "发票说明",
            "body": "<p>第二版 <b>新</b></p>",
            "language": "zh-hans",
            "visibility": "public",
            "version": 1,
        },
    )
    # a stale form (version 1 again) is refused, not saved over version 2
    stale = client.post(
        reverse("workspace:knowledge_article_edit", args=[article.pk]),
        {"title": "覆盖", "body": "", "language": "zh-hans", "visibility": "public", "version": 1},
    )
    assert stale.status_code == 200
    article.refresh_from_db()
    assert (article.title, article.version) == ("发票说明", 2)
    # the diff of version 2 shows the change as escaped source
    diff = client.get(reverse("workspace:knowledge_diff", args=[article.pk, 2])).content.decode()
    assert (
        "第一版" in diff
        and "&lt;p&gt;第二版 &lt;b&gt;新&lt;/b&gt;&lt;/p&gt;" in diff
        and "<b>新</b>" not in diff
    )
    # publish and restore version 1 (as version 3)
    client.post(reverse("workspace:knowledge_article_status", args=[article.pk]), {"status": "published"})
    client.post(reverse("workspace:knowledge_restore", args=[article.pk, 1]))
    article.refresh_from_db()
    assert (article.status, article.version, article.body) == ("published", 3, "<p>第一版</p>")


def test_agent_cannot_change_status_or_restore(client, agent, refund_articles):
    client.force_login(agent)
    pk = refund_articles["public"].pk
    assert (
        client.post(reverse("workspace:knowledge_article_status", args=[pk]), {"status": "draft"}).status_code
        == 403
    )
    assert client.post(reverse("workspace:knowledge_restore", args=[pk, 1])).status_code == 403


def test_writer_creates_an_faq_entry_with_several_questions(client, senior):
    client.force_login(senior)
    client.post(
        reverse("workspace:knowledge_faq_new"),
        {
            "questions": "怎么开通会员\n会员如何购买",
            "answer": "在会员页开通。",
            "language": "zh-hans",
            "is_published": "on",
        },
    )
    entry = FaqEntry.objects.get()
    assert entry.is_published and [q.text for q in entry.questions.all()] == ["怎么开通会员", "会员如何购买"]


def test_ticket_page_suggests_articles_and_offers_insertion(client, agent, ticket, refund_articles):
    ticket.subject = "申请退款多久审批"
    ticket.save()
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert 'id="kb-suggestions"' in page
    panel = client.get(reverse("workspace:knowledge_suggestions", args=[ticket.pk])).content.decode()
    assert "如何申请退款" in panel and "退款审批内部流程" in panel
    assert 'data-kb-insert="text"' in panel and f"/portal/help/a/{refund_articles['public'].pk}/" in panel
    # the internal article has no public link to insert
    assert f"/portal/help/a/{refund_articles['internal'].pk}/" not in panel


def test_agent_of_another_team_gets_no_suggestions_for_a_ticket_she_cannot_see(
    client, outsider, ticket, refund_articles
):
    client.force_login(outsider)
    assert client.get(reverse("workspace:knowledge_suggestions", args=[ticket.pk])).status_code == 404


def test_draft_faq_from_a_solved_ticket(client, senior, ticket):
    from kefu.tickets.models import Status

    ticket.status = Status.SOLVED
    ticket.save()
    client.force_login(senior)
    response = client.post(reverse("workspace:knowledge_draft_faq", args=[ticket.pk]))
    entry = FaqEntry.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/knowledge/faq/{entry.pk}/edit/")
    assert not entry.is_published and entry.questions.first().text == ticket.subject


def test_draft_faq_from_an_open_ticket_is_refused(client, senior, ticket):
    client.force_login(senior)
    response = client.post(reverse("workspace:knowledge_draft_faq", args=[ticket.pk]))
    assert response.status_code == 400 and not FaqEntry.objects.exists()


def test_an_articles_language_is_shown_but_not_editable_once_written(client, senior):
    """A translation is a new article: the edit form disables the language instead of silently ignoring it."""
    client.force_login(senior)
    client.post(
        reverse("workspace:knowledge_article_new"),
        {"title": "发票说明", "body": "<p>第一版</p>", "language": "zh-hans", "visibility": "public"},
    )
    article = Article.objects.get(title="发票说明")

    page = client.get(reverse("workspace:knowledge_article_edit", args=[article.pk])).content.decode()
    saved = client.post(
        reverse("workspace:knowledge_article_edit", args=[article.pk]),
        {"title": "发票说明", "body": "<p>第二版</p>", "language": "en", "visibility": "public", "version": 1},
    )

    assert re.search(r'<select name="language"[^>]*disabled', page)
    assert saved.status_code == 302
    article.refresh_from_db()
    assert (article.language, article.version) == ("zh-hans", 2)


def test_an_articles_view_count_is_called_浏览量_not_the_queues_视图(client, senior, refund_articles):
    client.force_login(senior)
    article = refund_articles["public"]
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    senior.language = "zh-hans"
    senior.save()

    page = client.get(reverse("workspace:knowledge_article", args=[article.pk]), **zh).content.decode()
    home = client.get(reverse("workspace:knowledge"), **zh).content.decode()

    assert "<dt>浏览量</dt>" in page and "浏览量" in home
    assert "<dt>视图</dt>" not in page
