"""Uploading images and files to an article in the workspace editor: good files land in the files panel,
too big / forbidden / disguised / broken uploads get a clear 400 (never a 500), and only editors upload
or delete."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.accounts import roles
from kefu.core.demo.knowledge import png
from kefu.knowledge import services
from kefu.knowledge.models import ArticleAttachment
from kefu.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = png(2, 2, lambda x, y: (0, 0, 255))
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def senior(front_line):
    user = UserFactory(username="senior", roles=[roles.SENIOR_AGENT], teams=[front_line])
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def article(senior):
    return services.create_article(actor=senior, title="如何查看物流", body="<p>打开订单。</p>")


def post_files(client, article, *files, **extra):
    url = reverse("workspace:knowledge_files", args=[article.pk])
    return client.post(url, {"files": list(files)}, **extra)


def test_an_editor_uploads_an_image_and_the_panel_offers_to_insert_it(client, senior, article):
    client.force_login(senior)
    response = post_files(client, article, SimpleUploadedFile("物流.png", PNG, "image/png"), **HTMX)
    assert response.status_code == 200
    image = ArticleAttachment.objects.get(article=article)
    page = response.content.decode()
    assert 'id="kb-files"' in page and "物流.png" in page and f'data-kb-url="{image.url}"' in page
    assert 'data-kb-insert-file="image"' in page


def test_without_htmx_the_upload_returns_to_the_editor(client, senior, article):
    client.force_login(senior)
    response = post_files(client, article, SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf"))
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:knowledge_article_edit", args=[article.pk])
    edit = client.get(response["Location"]).content.decode()
    assert "a.pdf" in edit and 'data-kb-insert-file="link"' in edit


def test_a_file_over_the_size_limit_is_refused_clearly(client, senior, article, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    client.force_login(senior)
    response = post_files(
        client, article, SimpleUploadedFile("big.png", PNG + b"\0" * 100, "image/png"), **HTMX
    )
    assert response.status_code == 400
    assert "big.png" in response.content.decode() and response["HX-Retarget"] == "#flash"
    assert not ArticleAttachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00"),
        ("icon.svg", b"<svg onload='alert(1)'/>"),
        ("shot.png", b"<html>not an image"),
    ],
)
def test_forbidden_or_disguised_files_are_refused(client, senior, article, name, content):
    client.force_login(senior)
    response = post_files(client, article, SimpleUploadedFile(name, content, "image/png"))
    assert response.status_code == 400
    assert name in response.content.decode()
    assert not ArticleAttachment.objects.exists()


def test_an_empty_upload_asks_for_a_file(client, senior, article):
    client.force_login(senior)
    response = post_files(client, article)
    assert response.status_code == 400


def test_a_malformed_multipart_body_is_a_clear_400_not_a_500(client, senior, article):
    client.force_login(senior)
    body = b'--XYZ\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n\r\n\x89PNG'  # no end
    response = client.generic(
        "POST",
        reverse("workspace:knowledge_files", args=[article.pk]),
        body,
        content_type="multipart/form-data; boundary=XYZ",
    )
    assert response.status_code == 400
    assert 'class="notice notice-error"' in response.content.decode()  # a sentence, not a stack trace
    assert not ArticleAttachment.objects.exists()


def test_a_multipart_body_without_boundary_is_a_clear_400(client, senior, article):
    client.force_login(senior)
    response = client.generic(
        "POST",
        reverse("workspace:knowledge_files", args=[article.pk]),
        b"junk",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode() or "无法读取" in response.content.decode()


def test_agents_who_only_read_cannot_upload_or_delete(client, senior, agent, outsider, article):
    [image] = services.add_article_attachments(
        actor=senior, article=article, files=[SimpleUploadedFile("a.png", PNG)]
    )
    for reader in (agent, outsider):
        client.force_login(reader)
        assert post_files(client, article, SimpleUploadedFile("b.png", PNG)).status_code == 403
        url = reverse("workspace:knowledge_file_delete", args=[article.pk, image.key])
        assert client.post(url).status_code == 403
    assert ArticleAttachment.objects.count() == 1


def test_customers_cannot_reach_the_upload(client, customer_user, article):
    client.force_login(customer_user)
    assert post_files(client, article, SimpleUploadedFile("b.png", PNG)).status_code == 403


def test_deleting_a_shown_image_reloads_the_editor_with_the_new_version(client, senior, article):
    [image] = services.add_article_attachments(
        actor=senior, article=article, files=[SimpleUploadedFile("a.png", PNG)]
    )
    services.update_article(
        actor=senior, article=article, title=article.title, body=f'<img src="{image.url}">'
    )
    client.force_login(senior)
    url = reverse("workspace:knowledge_file_delete", args=[article.pk, image.key])
    response = client.post(url, {"from": "edit"}, **HTMX)
    assert response["HX-Redirect"] == reverse("workspace:knowledge_article_edit", args=[article.pk])
    article.refresh_from_db()
    assert article.version == 3 and "<img" not in article.body


def test_deleting_an_unused_file_swaps_the_panel(client, senior, article):
    [sheet] = services.add_article_attachments(
        actor=senior, article=article, files=[SimpleUploadedFile("a.txt", b"hello")]
    )
    client.force_login(senior)
    url = reverse("workspace:knowledge_file_delete", args=[article.pk, sheet.key])
    response = client.post(url, {"from": "detail"}, **HTMX)
    assert response.status_code == 200 and 'id="kb-files"' in response.content.decode()
    assert not ArticleAttachment.objects.exists()


def test_a_file_of_another_article_cannot_be_deleted_through_this_one(client, senior, article):
    other = services.create_article(actor=senior, title="别的文章")
    [sheet] = services.add_article_attachments(
        actor=senior, article=other, files=[SimpleUploadedFile("a.txt", b"x")]
    )
    client.force_login(senior)
    response = client.post(reverse("workspace:knowledge_file_delete", args=[article.pk, sheet.key]))
    assert response.status_code == 404 and ArticleAttachment.objects.filter(pk=sheet.pk).exists()


def test_the_article_page_lists_its_files_in_a_fixed_number_of_queries(
    client, senior, article, django_assert_max_num_queries
):
    services.add_article_attachments(
        actor=senior, article=article, files=[SimpleUploadedFile(f"{n}.txt", b"x") for n in range(5)]
    )
    client.force_login(senior)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("workspace:knowledge_article", args=[article.pk]))
    page = response.content.decode()
    assert all(f"{n}.txt" in page for n in range(5))
