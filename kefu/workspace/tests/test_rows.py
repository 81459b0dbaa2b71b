"""URLs built without the resolver (rows.id_url, ticket_page_urls, the `fixed_url` and `id_url` tags) are exactly
reverse()'s,
including under a script prefix (Kefu served below a sub-path)."""

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from kefu.workspace.rows import TICKET_PAGE_URLS, id_url, ticket_page_urls


@pytest.fixture
def sub_path():
    set_script_prefix("/kefu/")
    yield
    set_script_prefix("/")


def test_ticket_page_urls_are_what_reverse_gives():
    urls = ticket_page_urls(4217)

    assert set(urls) == set(TICKET_PAGE_URLS)
    for name, url in urls.items():
        assert url == reverse(f"workspace:{name}", args=[4217])
    assert id_url("workspace:customer", 9) == reverse("workspace:customer", args=[9])


def test_urls_follow_the_script_prefix(sub_path):
    assert ticket_page_urls(5)["reply"].startswith("/kefu/")
    assert ticket_page_urls(5)["reply"] == reverse("workspace:reply", args=[5])
    template = engines["django"].from_string("{% load workspace_tags %}{% fixed_url 'workspace:home' %}")
    assert template.render({}) == reverse("workspace:home")
    assert template.render({}).startswith("/kefu/")
    with_id = engines["django"].from_string("{% load workspace_tags %}{% id_url 'workspace:customer' pk %}")
    assert with_id.render({"pk": 12}) == reverse("workspace:customer", args=[12])
    assert with_id.render({"pk": 12}).startswith("/kefu/")


def test_the_id_url_tag_prints_what_the_url_tag_prints():
    engine = engines["django"]
    for name, pk in (("workspace:ticket", 7), ("workspace:attachment", 31), ("quality:review", 100000)):
        fast = engine.from_string("{% load workspace_tags %}{% id_url name pk %}")
        plain = engine.from_string("{% url name pk %}")
        assert fast.render({"name": name, "pk": pk}) == plain.render({"name": name, "pk": pk})


def test_fixed_url_of_an_unknown_name_is_empty_like_url_as():
    template = engines["django"].from_string(
        "{% load workspace_tags %}[{% fixed_url 'workspace:no_such_page' as link %}{{ link }}]"
        "{% fixed_url 'workspace:home' as home %}{{ home }}"
    )

    assert template.render({}) == "[]" + reverse("workspace:home")
