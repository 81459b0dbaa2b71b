"""An article inserted into a reply keeps its shape as plain text: headings and paragraphs on lines of their
own with a blank line between, list items as "- " / "1. " lines (the ticket panel's "Insert text")."""

import html

import pytest
from django.urls import reverse

from kefu.accounts import roles
from kefu.knowledge import search, services
from kefu.knowledge.rules import plain_text
from kefu.tests.factories import UserFactory

EARBUDS = (
    "<h2>升级固件</h2><p>打开 App，点击“升级”。</p>"
    "<h2>只有一只耳机有声音</h2><p>把耳机放回充电盒，<br>再取出。</p>"
    "<ul><li>检查电量</li><li>重新配对</li></ul>"
)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            EARBUDS,
            "升级固件\n\n打开 App，点击“升级”。\n\n只有一只耳机有声音\n\n把耳机放回充电盒，\n再取出。\n\n"
            "- 检查电量\n- 重新配对",
        ),
        ("<ol><li>Open <b>Settings</b></li><li>Tap <i>Reset</i></li></ol>", "1. Open Settings\n2. Tap Reset"),
        ("<ul><li>Phones<ul><li>iOS</li></ul></li></ul><p>Done</p>", "- Phones\n  - iOS\n\nDone"),
        ("<p>  Tom &amp; Jerry\n  say   hi </p>", "Tom & Jerry say hi"),
        ("<pre>line 1\n  indented</pre>", "line 1\n  indented"),
        ("", ""),
    ],
)
def test_an_article_body_becomes_plain_text_with_its_blocks_on_separate_lines(body, text):
    assert plain_text(body) == text


@pytest.mark.django_db
def test_the_ticket_panel_offers_the_article_text_with_line_breaks(client, agent, ticket, front_line):
    search.reset_caches()
    writer = UserFactory(username="writer", roles=[roles.SENIOR_AGENT], teams=[front_line])
    article = services.create_article(actor=writer, title="耳机故障排查", body=EARBUDS)
    services.publish_article(actor=writer, article=article)
    ticket.subject = "耳机只有一只有声音"
    ticket.save()
    client.force_login(agent)

    panel = client.get(reverse("workspace:knowledge_suggestions", args=[ticket.pk])).content.decode()

    inserted = html.unescape(panel.split("<template data-kb-text>")[1].split("</template>")[0])
    assert inserted == f"耳机故障排查\n\n{plain_text(EARBUDS)}"
    assert "升级固件\n\n打开 App" in inserted
