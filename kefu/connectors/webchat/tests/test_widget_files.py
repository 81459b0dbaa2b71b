"""The one-tag embed: the widget's script and stylesheet, and the demo page."""


def test_the_widget_script_and_stylesheet_are_served_with_their_types(client, db):
    script = client.get("/chat/widget.js")
    style = client.get("/chat/widget.css")

    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"/ws/chat/" in script.content
    assert style.status_code == 200 and style["Content-Type"].startswith("text/css")


def test_the_demo_page_embeds_the_widget_with_the_site_key(client, site):
    response = client.get(f"/chat/demo/?site={site.key}")

    assert response.status_code == 200
    assert f'data-site="{site.key}"' in response.content.decode()


def test_the_demo_page_of_an_unknown_site_is_not_found(client, db):
    assert client.get("/chat/demo/?site=nope").status_code == 404
    assert client.get("/chat/demo/?site=" + "x" * 100).status_code == 404


def test_the_widgets_string_table_has_every_string_in_both_languages():
    import re
    from pathlib import Path

    source = (Path(__file__).resolve().parents[3] / "static" / "kefu" / "chat" / "widget.js").read_text()
    table = source[source.index("var STRINGS = {") : source.index("var T = ")]
    zh, en = table.split("\n    en: {")
    keys = [set(re.findall(r"(\w+): \"", part)) for part in (zh, en)]

    assert keys[0] == keys[1] and len(keys[0]) > 30
    used = set(re.findall(r"\bT\.(\w+)", source))
    assert used <= keys[0]
    assert not re.search(r"[\u4e00-\u9fff]", en)  # nothing Chinese left in the English table
