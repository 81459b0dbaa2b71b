"""Idempotency-Key: a retried POST returns the first answer and creates nothing a second time."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from kefu.api.idempotency import IdempotentPostMixin
from kefu.api.models import IdempotencyKey
from kefu.api.services import purge_expired_idempotency_keys
from kefu.customers.models import Customer
from kefu.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def post(client, body, key, **kwargs):
    return client.post(URL, body, format=kwargs.pop("format", "json"), HTTP_IDEMPOTENCY_KEY=key, **kwargs)


def test_retry_with_the_same_key_replays_the_first_answer_and_creates_nothing(api, customer):
    key = str(uuid.uuid4())
    body = {"subject": "重复提交", "customer": customer.pk}

    first = post(api, body, key)
    second = post(api, body, key)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Ticket.objects.filter(subject="重复提交").count() == 1


def test_same_key_with_a_different_body_is_422_and_creates_nothing(api, customer):
    key = str(uuid.uuid4())
    post(api, {"subject": "第一次", "customer": customer.pk}, key)

    response = post(api, {"subject": "第二次", "customer": customer.pk}, key)

    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert not Ticket.objects.filter(subject="第二次").exists()


def test_same_key_on_another_path_is_a_different_request(api, customer, ticket):
    key = str(uuid.uuid4())
    post(api, {"subject": "x", "customer": customer.pk}, key)

    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"kind": "note", "text": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert response.status_code == 422


def test_keys_belong_to_one_user(api, api_for, teammate, customer):
    key = str(uuid.uuid4())
    body = {"subject": "各自的工单", "customer": customer.pk}

    post(api, body, key)
    response = post(api_for(teammate), body, key)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Ticket.objects.filter(subject="各自的工单").count() == 2


def test_a_failed_request_keeps_no_key_so_the_corrected_retry_runs(api, customer):
    key = str(uuid.uuid4())
    refused = post(api, {"subject": "x", "customer": customer.pk, "category": "nope"}, key)

    corrected = post(api, {"subject": "x", "customer": customer.pk}, key)

    assert refused.status_code == 400
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected


def test_request_still_in_progress_answers_409(api, agent, customer):
    """A claimed key without a stored answer means its first request has not finished."""
    key = str(uuid.uuid4())
    body = {"subject": "x", "customer": customer.pk}

    first = post(api, body, key)
    IdempotencyKey.objects.filter(key=key).update(status_code=None, response=None)

    response = post(api, body, key)

    assert first.status_code == 201
    assert response.status_code == 409
    assert "in progress" in response.json()["detail"]


def test_an_expired_key_is_claimed_afresh(api, customer):
    key = str(uuid.uuid4())
    body = {"subject": "过期", "customer": customer.pk}
    post(api, body, key)
    IdempotencyKey.objects.filter(key=key).update(created_at=timezone.now() - timedelta(hours=25))

    response = post(api, body, key)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Ticket.objects.filter(subject="过期").count() == 2


def test_purge_deletes_only_keys_older_than_a_day(api, customer):
    post(api, {"subject": "a", "customer": customer.pk}, "old-key")
    post(api, {"subject": "b", "customer": customer.pk}, "new-key")
    IdempotencyKey.objects.filter(key="old-key").update(created_at=timezone.now() - timedelta(hours=25))

    assert purge_expired_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new-key"]


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "中文"])
def test_unusable_key_is_400(api, customer, key):
    response = post(api, {"subject": "x", "customer": customer.pk}, key.encode().decode("latin-1"))

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


def test_reply_and_customer_creation_are_idempotent_too(api, ticket):
    reply = {"kind": "reply", "text": "只发一次"}
    messages_url = f"/api/v1/tickets/{ticket.pk}/messages/"
    for _ in range(2):
        api.post(messages_url, reply, format="json", HTTP_IDEMPOTENCY_KEY="reply-1")
        api.post("/api/v1/customers/", {"name": "吴女士"}, format="json", HTTP_IDEMPOTENCY_KEY="customer-1")

    assert Message.objects.filter(ticket=ticket, body_text="只发一次").count() == 1
    assert Customer.objects.filter(name="吴女士").count() == 1


def test_multipart_retry_with_the_same_file_replays(api, customer):
    def body(content=b"png-bytes"):
        return {
            "subject": "带附件",
            "customer": customer.pk,
            "attachments": [SimpleUploadedFile("a.png", content)],
        }

    first = post(api, body(), "upload-1", format="multipart")
    again = post(api, body(), "upload-1", format="multipart")
    other_file = post(api, body(b"other-bytes"), "upload-1", format="multipart")

    assert (first.status_code, again.status_code, other_file.status_code) == (201, 201, 422)
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.filter(subject="带附件").count() == 1


def _api_views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/v"):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_endpoint_that_accepts_post_honours_idempotency_keys():
    posting = []
    for route, callback in _api_views():
        view_class = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        accepts_post = "post" in actions or (not actions and hasattr(view_class, "post"))
        if accepts_post:
            posting.append(route)
            assert issubclass(view_class, IdempotentPostMixin), route

    assert len(posting) >= 3


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_make_one_ticket(api_for, agent, customer):
    """The claim is a unique row inside the request's transaction: the second request waits for the first
    and replays its answer (or, if it waits too long, gets 409) — never a second ticket."""
    if connection.vendor == "sqlite" and "memory" in (connection.settings_dict["NAME"] or ":memory:"):
        pytest.skip("needs a database file or PostgreSQL: in-memory SQLite shares one connection's locks")
    body = {"subject": "并发", "customer": customer.pk}
    clients = [api_for(agent), api_for(agent)]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send(client):
        start.wait()
        try:
            statuses.append(post(client, body, "race-1").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(statuses) in ([201, 201], [201, 409])
    assert Ticket.objects.filter(subject="并发").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_kept_waiting_too_long_by_the_same_key_gets_409(api_for, agent, customer, settings):
    """PostgreSQL: the second request waits on the first one's claim at most KEFU_IDEMPOTENCY_WAIT_SECONDS."""
    if connection.vendor != "postgresql":
        pytest.skip("the bounded wait is PostgreSQL's lock_timeout")
    settings.KEFU_IDEMPOTENCY_WAIT_SECONDS = 0.3
    claimed, release = threading.Event(), threading.Event()

    def first_request_still_running():
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(user=agent, key="slow-1", fingerprint="0" * 64)
                claimed.set()
                release.wait(10)
                transaction.set_rollback(True)
        finally:
            connection.close()

    holder = threading.Thread(target=first_request_still_running)
    holder.start()
    claimed.wait(10)
    try:
        response = post(api_for(agent), {"subject": "x", "customer": customer.pk}, "slow-1")
    finally:
        release.set()
        holder.join(10)

    assert response.status_code == 409
    assert not Ticket.objects.filter(subject="x").exists()


def test_the_hourly_job_purges_expired_keys(api, customer):
    from kefu.api.tasks import purge_idempotency_keys
    from kefu.config.celery import app

    post(api, {"subject": "x", "customer": customer.pk}, "old-one")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))

    assert purge_idempotency_keys.apply().get() == 1
    assert not IdempotencyKey.objects.exists()
    assert app.conf.beat_schedule["api-idempotency-purge"]["task"] == purge_idempotency_keys.name
