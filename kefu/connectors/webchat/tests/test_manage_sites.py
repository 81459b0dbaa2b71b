"""/manage/chat-sites/: administrators set up a site and copy the one-line snippet with its key."""

from kefu.chat.models import ChatSite


def test_the_list_shows_each_sites_snippet_with_its_key(
    client, admin_user, site, django_assert_max_num_queries
):
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        response = client.get("/manage/chat-sites/")

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        f"&lt;script src=&quot;http://testserver/chat/widget.js&quot; data-site=&quot;{site.key}&quot; async"
        in page
    )


def test_an_admin_creates_a_site_with_a_prechat_form_and_topics(client, admin_user, front_line):
    client.force_login(admin_user)

    response = client.post(
        "/manage/chat-sites/new/",
        {
            "name": "官网",
            "allowed_origins": "https://shop.example.com/\nhttps://m.example.com",
            "max_queue": "30",
            "prechat_fields": ["name", "email", "topic"],
            "prechat_required": ["name", "phone"],
            "topics": "售后 | 接线组\n售前",
            "bot_enabled": "on",
            "is_active": "on",
        },
    )

    site = ChatSite.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/manage/chat-sites/{site.pk}/"
    assert site.allowed_origins == ["https://shop.example.com", "https://m.example.com"]
    assert site.prechat_form == {"fields": ["name", "email", "topic"], "required": ["name"]}
    assert [(t.name, t.team) for t in site.topics.all()] == [("售后", front_line), ("售前", None)]
    assert site.bot_enabled and site.max_queue == 30
    assert f"data-site=&quot;{site.key}&quot;" in client.get(response["Location"]).content.decode()


def test_bad_origins_and_unknown_teams_are_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        "/manage/chat-sites/new/",
        {
            "name": "x",
            "allowed_origins": "shop.example.com/path",
            "max_queue": "0",
            "topics": "售后 | 不存在",
        },
    )

    assert response.status_code == 400 and not ChatSite.objects.exists()


def test_agents_cannot_manage_chat_sites(client, agent, outsider, site):
    for person in (agent, outsider):
        client.force_login(person)
        assert client.get("/manage/chat-sites/").status_code == 403
        assert client.post(f"/manage/chat-sites/{site.pk}/", {"name": "hacked"}).status_code == 403
    site.refresh_from_db()
    assert site.name != "hacked"


def test_the_install_instruction_shows_the_body_tag_as_text(client, admin_user, site):
    """The "paste before </body>" instruction shows the tag as text in both languages, instead of a raw
    </body> the browser swallows (which left "放在 之前")."""
    admin_user.language = "zh-hans"
    admin_user.save()
    client.force_login(admin_user)

    page = client.get(f"/manage/chat-sites/{site.pk}/").content.decode()

    assert "放在 &lt;/body&gt; 之前" in page and "放在 </body>" not in page
