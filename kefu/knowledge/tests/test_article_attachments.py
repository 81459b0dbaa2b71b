"""Article images and files: what type a file is, which images survive sanitizing (only the article's own
files), who may download a file (permission matrix), and how files live with versions and translations."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from kefu.audit.models import AuditEntry
from kefu.core.demo.knowledge import png
from kefu.knowledge import rules, services
from kefu.knowledge.models import Article, ArticleAttachment

PNG = png(4, 3, lambda x, y: (200, 30 * x, 40 * y))
PREFIX = "/portal/help/files/"
KEY = "A" * 32


def upload(name: str, content: bytes) -> ContentFile:
    return ContentFile(content, name=name)


def with_image(editor, **kwargs):
    """An article showing one uploaded image; returns (article, attachment)."""
    article = services.create_article(actor=editor, title="订单号在哪里", **kwargs)
    [image] = services.add_article_attachments(actor=editor, article=article, files=[upload("截图.png", PNG)])
    body = f'<p>看图：</p><p><img src="{image.url}" alt="截图"></p>'
    article = services.update_article(actor=editor, article=article, title=article.title, body=body)
    return article, image


# --- pure rules ----------------------------------------------------------------------------------------


def test_file_addresses_start_with_the_help_center_prefix():
    assert services.file_url_prefix() == PREFIX
    assert reverse("portal:help:file", kwargs={"key": KEY}) == f"{PREFIX}{KEY}/"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (f"{PREFIX}{KEY}/", KEY),
        (f"{PREFIX}{KEY}", None),  # not the exact address
        (f"{PREFIX}{KEY}/?x=1", None),
        (f"{PREFIX}{KEY}/../../admin/", None),
        (f"https://evil.example{PREFIX}{KEY}/", None),
        (f"//evil.example{PREFIX}{KEY}/", None),
        (f"{PREFIX}short/", None),
        ("javascript:alert(1)", None),
    ],
)
def test_only_exact_own_file_addresses_yield_a_key(url, key):
    assert rules.attachment_key(url, PREFIX) == key


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("shot.png", PNG[:64], "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (
            "shot.png",
            b"\xff\xd8\xff\xe0" + b"\x00" * 20,
            "image/jpeg",
        ),  # an image with the wrong suffix: its real type
        ("shot.png", b"<script>alert(1)</script>", None),  # claims to be an image, is not
        ("guide.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("guide.pdf", b"PK\x03\x04", None),
        ("notes.txt", "退款说明".encode(), "text/plain"),
        ("notes.txt", b"\x00\x01\x02binary", None),
        ("table.xlsx", b"PK\x03\x04rest", "application/octet-stream"),  # other files: a plain download
        ("noext", PNG[:64], "image/png"),
    ],
)
def test_attachment_type_comes_from_the_content(name, head, expected):
    assert rules.attachment_type(name=name, head=head) == expected


# --- sanitizing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        '<img src="https://evil.example/track.png">',
        '<img src="//evil.example/track.png">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<img src="javascript:alert(1)">',
        f'<img src="{PREFIX}{KEY}/">',  # the address of a file this article does not have
        '<img alt="x" onerror="alert(1)">',
    ],
)
def test_images_not_pointing_at_the_articles_own_files_are_removed(editor, image):
    article = services.create_article(actor=editor, title="t", body=f"<p>before{image}after</p>")
    assert article.body == "<p>beforeafter</p>"


def test_an_image_of_the_articles_own_file_survives_and_nothing_else_of_it(editor):
    article, image = with_image(editor)
    body = (
        f'<p><img src="{image.url}" alt="a&gt;b" onerror="alert(1)" style="x"></p>'
        f'<p><a href="{image.url}">下载</a> <a href="https://example.com/">外部</a> <a href="javascript:alert(1)">x</a></p>'
    )
    article = services.update_article(actor=editor, article=article, title=article.title, body=body)
    assert f'<img src="{image.url}" alt="a&gt;b">' in article.body
    assert f'<a href="{image.url}" rel="noopener noreferrer nofollow">下载</a>' in article.body
    assert 'href="https://example.com/"' in article.body
    assert "javascript" not in article.body and "onerror" not in article.body and "style" not in article.body


def test_a_translation_cannot_show_the_originals_images(editor):
    original, image = with_image(editor)
    translation = services.create_article(
        actor=editor,
        title="Where is my order number",
        language="en",
        translation_of=original,
        body=original.body,
    )
    assert "<img" not in translation.body
    # Its own upload, inserted, is kept: translations have their own files.
    [own] = services.add_article_attachments(actor=editor, article=translation, files=[upload("en.png", PNG)])
    translation = services.update_article(
        actor=editor,
        article=translation,
        title=translation.title,
        body=f'<img src="{own.url}">' + original.body,
    )
    assert own.url in translation.body and image.url not in translation.body


# --- uploads (service) ---------------------------------------------------------------------------------


def test_uploaded_files_get_random_keys_and_names_and_an_audit_row(editor):
    article = services.create_article(actor=editor, title="t")
    stored = services.add_article_attachments(
        actor=editor,
        article=article,
        files=[upload("../../截图 1.png", PNG), upload("表.xlsx", b"PK\x03\x04x")],
    )
    image, sheet = stored
    assert (image.filename, image.content_type, image.size) == ("截图 1.png", "image/png", len(PNG))
    assert sheet.content_type == "application/octet-stream" and not sheet.is_image
    assert len(image.key) >= 32 and image.key != sheet.key
    assert image.key not in image.file.name and "截图" not in image.file.name
    assert image.file.read() == PNG
    assert AuditEntry.objects.filter(action="knowledge.attachment_added").count() == 2


def test_uploads_are_all_or_nothing(editor):
    article = services.create_article(actor=editor, title="t")
    with pytest.raises(services.InvalidInput, match="evil.exe"):
        services.add_article_attachments(
            actor=editor, article=article, files=[upload("a.png", PNG), upload("evil.exe", b"MZ")]
        )
    assert not ArticleAttachment.objects.exists()


def test_agents_who_may_not_edit_cannot_upload(agent, editor):
    article = services.create_article(actor=editor, title="t")
    with pytest.raises(services.NotAllowed):
        services.add_article_attachments(actor=agent, article=article, files=[upload("a.png", PNG)])


# --- versions and deletion -----------------------------------------------------------------------------


def test_deleting_a_shown_file_saves_a_version_without_it_and_is_audited(editor):
    article, image = with_image(editor)
    version = article.version
    article = services.delete_article_attachment(actor=editor, attachment=image)
    assert article.version == version + 1 and "<img" not in article.body and "看图" in article.body
    assert not ArticleAttachment.objects.filter(pk=image.pk).exists()
    entry = AuditEntry.objects.get(action="knowledge.attachment_deleted")
    assert entry.actor == editor and entry.changes["filename"] == ["截图.png", None]
    assert entry.changes["article"] == [article.pk, None]


def test_deleting_an_unused_file_keeps_the_version(editor, django_capture_on_commit_callbacks):
    article = services.create_article(actor=editor, title="t", body="<p>x</p>")
    [sheet] = services.add_article_attachments(actor=editor, article=article, files=[upload("a.txt", b"hi")])
    storage, name = sheet.file.storage, sheet.file.name
    with django_capture_on_commit_callbacks(execute=True):
        after = services.delete_article_attachment(actor=editor, attachment=sheet)
    assert after.version == article.version
    assert not storage.exists(name)  # the bytes are gone too, once the deletion committed


def test_restoring_an_old_version_keeps_existing_images_and_drops_deleted_ones(editor):
    article, image = with_image(editor)  # version 2 shows the image
    [second] = services.add_article_attachments(actor=editor, article=article, files=[upload("b.png", PNG)])
    body = article.body + f'<p><img src="{second.url}" alt="b"></p>'
    article = services.update_article(actor=editor, article=article, title=article.title, body=body)  # v3
    services.update_article(actor=editor, article=article, title=article.title, body="<p>重写</p>")  # v4
    restored = services.restore_revision(actor=editor, article=article, version=3)
    assert image.url in restored.body and second.url in restored.body
    services.delete_article_attachment(actor=editor, attachment=second)
    services.update_article(actor=editor, article=restored, title=restored.title, body="<p>again</p>")
    restored = services.restore_revision(actor=editor, article=restored, version=3)
    assert image.url in restored.body and second.url not in restored.body
    assert restored.revisions.get(version=3).body.count("<img") == 2  # history itself is never rewritten


# --- who may download ----------------------------------------------------------------------------------


@pytest.fixture
def files(editor):
    """One image per article kind: published public / published internal / draft public / draft internal."""
    made = {}
    for visibility in ("public", "internal"):
        for published in (True, False):
            article, image = with_image(editor, visibility=visibility)
            if published:
                services.publish_article(actor=editor, article=article)
            made[(visibility, published)] = image
    return made


@pytest.mark.parametrize("visibility", ["public", "internal"])
@pytest.mark.parametrize("published", [True, False])
@pytest.mark.parametrize("who", ["anonymous", "customer", "agent", "outsider", "editor_without_read"])
def test_who_may_download_an_article_file(
    client, files, visibility, published, who, customer_user, agent, outsider, editor
):
    user = {"anonymous": None, "customer": customer_user, "agent": agent, "outsider": outsider}.get(
        who, editor
    )
    if user is not None:
        client.force_login(user)
    response = client.get(files[(visibility, published)].url)
    may = (visibility == "public" and published) or who in ("agent", "outsider")
    assert response.status_code == (200 if may else 404)
    if may:
        assert b"".join(response.streaming_content) == PNG


def test_a_customer_with_a_staff_permission_still_sees_no_internal_file(client, files, customer_user):
    from django.contrib.auth.models import Permission

    customer_user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(customer_user)
    assert client.get(files[("internal", True)].url).status_code == 404


def test_a_guessed_or_unknown_key_is_a_404(client, files, agent):
    client.force_login(agent)
    assert client.get(reverse("portal:help:file", kwargs={"key": KEY})).status_code == 404
    image = files[("public", True)]
    assert client.get(f"{PREFIX}{image.pk}/").status_code == 404  # ids are not addresses


def test_images_are_shown_inline_and_other_files_downloaded_with_safe_headers(client, editor):
    article, image = with_image(editor)
    [script] = services.add_article_attachments(
        actor=editor, article=article, files=[upload("page.txt", b"<script>alert(1)</script>")]
    )
    services.publish_article(actor=editor, article=article)
    shown = client.get(image.url)
    assert shown["Content-Type"] == "image/png" and "attachment" not in shown["Content-Disposition"]
    assert shown["X-Content-Type-Options"] == "nosniff" and "sandbox" in shown["Content-Security-Policy"]
    downloaded = client.get(script.url)
    assert downloaded["Content-Type"].startswith("text/plain")
    assert downloaded["Content-Disposition"].startswith("attachment")


def test_the_help_center_shows_the_image_and_lists_the_other_files(client, editor):
    article, image = with_image(editor)
    [guide] = services.add_article_attachments(
        actor=editor, article=article, files=[upload("说明.pdf", b"%PDF-1.4 x")]
    )
    services.publish_article(actor=editor, article=article)
    page = client.get(reverse("portal:help:article", args=[article.pk])).content.decode()
    assert f'<img src="{image.url}" alt="截图">' in page
    assert guide.url in page and "说明.pdf" in page
    assert page.count(image.url) == 1  # the image is in the text, not in the file list


def test_unpublishing_an_article_closes_its_files_to_the_public(client, editor):
    article, image = with_image(editor)
    services.publish_article(actor=editor, article=article)
    assert client.get(image.url).status_code == 200
    services.change_article_status(actor=editor, article=article, status="draft")
    assert client.get(image.url).status_code == 404


def test_the_demo_has_an_article_with_an_image_readers_can_load(client, editor):
    from kefu.core.demo.knowledge import ILLUSTRATED_TITLE, ensure_knowledge

    ensure_knowledge(editor)
    article = Article.objects.get(title=ILLUSTRATED_TITLE)
    [image] = article.attachments.all()
    assert article.is_public and image.is_image and f'src="{image.url}"' in article.body
    response = client.get(image.url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert ensure_knowledge(editor)["articles"] == 0  # idempotent
