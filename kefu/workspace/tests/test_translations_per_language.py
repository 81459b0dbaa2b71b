"""`{% translations_per_language %}`: inside it, each translation whose output depends on the language alone
is rendered once per language and kept, at any depth (conditions, loops, partials); everything else, including
translations of variables, is rendered per request as without the tag."""

import pytest
from django.template import Context, Template
from django.utils import translation

from kefu.workspace.templatetags.workspace_tags import PerLanguageNode, TranslateNode

BODY = (
    '{% for n in numbers %}{% if n > 1 %}<b>{% translate "Send reply" %}</b>{% else %}'
    '{% translate "Filter" context "apply filters" %}{% endif %}{% endfor %}'
    "{% translate word %}|{% translate word as said %}{{ said }}|{% translate 'Save'|upper %}|"
    "{% blocktranslate %}Close{% endblocktranslate %}|{% blocktranslate with name=name %}assigned to {{ name }}"
    "{% endblocktranslate %}|{% partialdef part inline %}{% translate 'Tickets' %}{% endpartialdef %}"
)
KEPT = Template(
    "{% load i18n workspace_tags %}{% translations_per_language %}"
    + BODY
    + "{% endtranslations_per_language %}"
)
PLAIN = Template("{% load i18n %}" + BODY)


@pytest.mark.parametrize("language", ["en", "zh-hans", "en", "zh-hans"])
@pytest.mark.parametrize(
    "values",
    [
        {"numbers": [1, 2], "word": "Save", "name": "王芳"},
        {"numbers": [3], "word": "Search", "name": "<b>Li</b>"},
        {"numbers": [], "word": "", "name": ""},
    ],
)
def test_the_tag_gives_what_its_contents_give_without_it(language, values):
    with translation.override(language):
        assert KEPT.render(Context(values)) == PLAIN.render(Context(values))
    with translation.override("zh-hans"):
        assert "发送回复" in KEPT.render(Context({"numbers": [2]}))


def test_only_translations_of_constant_text_are_kept():
    kept = KEPT.nodelist.get_nodes_by_type(PerLanguageNode)
    plain = KEPT.nodelist.get_nodes_by_type(TranslateNode)

    # Both branches of the condition, the constant block translation and the one inside the partial.
    assert len(kept) == 4
    # Left as they were: a variable, one kept in a variable, one with a filter (and those now inside kept nodes).
    assert len(plain) == 3 + 3


def test_the_partial_of_a_page_keeps_its_translations_too():
    with translation.override("zh-hans"):
        chinese = KEPT.render(Context({}))
        partial = Template(
            "{% load i18n workspace_tags %}{% translations_per_language %}{% partialdef part inline %}"
            "{% translate 'Tickets' %}{% endpartialdef %}{% endtranslations_per_language %}"
        )
        assert partial.render(Context({})) == "工单"
    assert chinese.endswith("工单")
