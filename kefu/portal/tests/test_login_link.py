"""Signing in with a link by e-mail: mailed in the customer's language, works once, expires, tamper-proof."""

import time

import pytest
from django.core import mail, signing
from django.test import Client

from kefu.customers.models import Customer
from kefu.portal import services

from .helpers import link_path_in_mail

pytestmark = pytest.mark.django_db


def ask_for_link(client: Client, captured, email: str):
    with captured(execute=True):
        return client.post("/portal/login/link/", {"email": email})


def main_part(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_a_known_address_gets_a_link_that_signs_in_once(customer_user, django_capture_on_commit_callbacks):
    client = Client()

    response = ask_for_link(client, django_capture_on_commit_callbacks, "CHEN@example.com")

    assert response.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chen@example.com"]
    path = link_path_in_mail()
    confirm_page = client.get(path)  # opening the link (or a mail scanner doing so) does not use it up
    assert confirm_page.status_code == 200 and "陈小姐" in confirm_page.content.decode()
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200

    reused = Client().post(path)

    assert reused.status_code == 400
    assert "30" in main_part(reused)  # "links work once and for 30 minutes"
    assert "_auth_user_id" not in reused.wsgi_request.session


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    customer_user, django_capture_on_commit_callbacks
):
    known = ask_for_link(Client(), django_capture_on_commit_callbacks, "chen@example.com")
    mail.outbox.clear()

    unknown = ask_for_link(Client(), django_capture_on_commit_callbacks, "nobody@example.com")

    assert unknown.status_code == known.status_code == 200
    assert main_part(unknown).replace("nobody@example.com", "X") == main_part(known).replace(
        "chen@example.com", "X"
    )
    assert mail.outbox == []


def test_a_customer_without_login_gets_one_created_on_the_fly(
    other_customer, django_capture_on_commit_callbacks
):
    assert other_customer.user is None

    ask_for_link(Client(), django_capture_on_commit_callbacks, "other@example.com")

    other_customer.refresh_from_db()
    assert other_customer.user is not None and not other_customer.user.is_staff
    assert not other_customer.user.has_usable_password()
    client = Client()
    assert client.post(link_path_in_mail()).status_code == 302
    assert client.get("/portal/").status_code == 200


def test_the_mail_is_in_the_customers_language(customer_user, django_capture_on_commit_callbacks):
    Customer.objects.filter(user=customer_user).update(language="en")

    ask_for_link(Client(), django_capture_on_commit_callbacks, "chen@example.com")

    message = mail.outbox[0]
    assert "sign-in link" in message.subject.lower()
    assert "expires in 30 minutes" in message.body
    assert message.alternatives and "Sign in" in message.alternatives[0].content


def test_the_mail_defaults_to_chinese(customer_user, django_capture_on_commit_callbacks):
    ask_for_link(Client(), django_capture_on_commit_callbacks, "chen@example.com")

    assert "登录" in mail.outbox[0].subject


def test_a_tampered_link_is_refused_with_a_friendly_page(customer_user):
    token = services.make_login_token(user=customer_user)
    _user_id, rest = token.split(":", 1)
    forged = f"{customer_user.pk + 1}:{rest}"

    for bad in (forged, token[:-2] + "xx", "garbage", token + "x"):
        response = Client().get(f"/portal/login/link/{bad}/")
        assert response.status_code == 400
        assert Client().post(f"/portal/login/link/{bad}/").status_code == 400


def test_an_expired_link_is_refused(customer_user, monkeypatch):
    token = services.make_login_token(user=customer_user)
    later = time.time() + services.LOGIN_LINK_MAX_AGE + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = Client().post(f"/portal/login/link/{token}/")

    assert response.status_code == 400
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_link_stops_working_once_the_customer_signs_in_another_way(customer_user, password):
    token = services.make_login_token(user=customer_user)

    assert Client().login(username=customer_user.username, password=password)

    assert Client().post(f"/portal/login/link/{token}/").status_code == 400


def test_staff_never_get_login_links(agent, django_capture_on_commit_callbacks):
    Customer.objects.create(name="Agent as customer", user=agent)
    from kefu.customers.services import add_identity

    add_identity(customer=Customer.objects.get(user=agent), kind="email", value="agent-home@example.com")

    ask_for_link(Client(), django_capture_on_commit_callbacks, "agent-home@example.com")

    assert mail.outbox == []
    assert Client().post(f"/portal/login/link/{services.make_login_token(user=agent)}/").status_code == 400


def test_link_requests_are_throttled_per_address(customer_user, django_capture_on_commit_callbacks):
    for _ in range(services.THROTTLE_PER_EMAIL):
        assert (
            ask_for_link(Client(), django_capture_on_commit_callbacks, "chen@example.com").status_code == 200
        )

    response = ask_for_link(Client(), django_capture_on_commit_callbacks, "chen@example.com")

    assert response.status_code == 429
    assert len(mail.outbox) == services.THROTTLE_PER_EMAIL


def test_link_requests_are_throttled_per_client_address(django_capture_on_commit_callbacks):
    for n in range(services.THROTTLE_PER_IP):
        ask_for_link(Client(), django_capture_on_commit_callbacks, f"someone{n}@example.com")

    response = ask_for_link(Client(), django_capture_on_commit_callbacks, "one-more@example.com")

    assert response.status_code == 429


def test_an_invalid_address_is_refused_with_a_message():
    response = Client().post("/portal/login/link/", {"email": "not-an-address"})

    assert response.status_code == 400
    assert 'class="error mb-0"' in response.content.decode()
