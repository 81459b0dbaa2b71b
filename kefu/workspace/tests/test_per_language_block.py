"""`{% per_language %}`: constant stretches of the staff pages are rendered once per language and kept, yet
every reader still gets their own language, and nothing that varies per request can be put inside."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import translation

from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_readers_of_each_language_get_their_own_words_in_one_process(login, agent, teammate, front_line):
    TicketFactory(team=front_line)
    chinese, english = login(agent, "zh-hans"), login(teammate, "en")
    url = reverse("workspace:home") + "?view=all"

    first_chinese = chinese.get(url).content.decode()
    then_english = english.get(url).content.decode()
    chinese_again = chinese.get(url).content.decode()

    for body in (first_chinese, chinese_again):
        assert '<th scope="col">标题</th>' in body  # the table head
        assert 'title="键盘快捷键"' in body  # the staff shell's help button
        assert '<th scope="col">Subject</th>' not in body
    assert '<th scope="col">Subject</th>' in then_english
    assert 'title="Keyboard shortcuts"' in then_english
    assert "标题" not in then_english


def test_the_block_gives_what_its_translations_give_without_it():
    inside = Template(
        '{% load i18n workspace_tags %}{% per_language %}<b>{% translate "Send reply" %}</b> '
        '{% translate "Filter" context "apply filters" %}{% endper_language %}'
    )
    plain = Template(
        '{% load i18n %}<b>{% translate "Send reply" %}</b> {% translate "Filter" context "apply filters" %}'
    )

    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            assert inside.render(Context()) == plain.render(Context())
    with translation.override("zh-hans"):
        assert "发送回复" in inside.render(Context())


@pytest.mark.parametrize(
    "inside",
    [
        "{{ name }}",
        "{% translate name %}",
        '{% translate "Save" as label %}',
        '{% translate "Save"|upper %}',
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}",
        "{% blocktranslate count n=count %}one{% plural %}many{% endblocktranslate %}",
        "{% if name %}x{% endif %}",
        "{% csrf_token %}",
    ],
)
def test_anything_that_could_differ_between_requests_is_refused_when_compiled(inside):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load i18n workspace_tags %}{% per_language %}" + inside + "{% endper_language %}")
