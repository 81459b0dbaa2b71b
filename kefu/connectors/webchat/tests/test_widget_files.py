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
