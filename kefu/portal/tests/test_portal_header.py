"""The portal header shows anonymous visitors the way in, and signed-in customers their own menu."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_of_the_help_center_see_a_sign_in_link_that_returns_them(client):
    response = client.get(reverse("portal:help:home"))

    assert response.status_code == 200
    assert b'class="portal-signin" href="/portal/login/?next=/portal/help/"' in response.content


def test_signed_in_customers_see_their_menu_instead(client, customer_user):
    client.force_login(customer_user)

    response = client.get(reverse("portal:help:home"))

    assert b"portal-signin" not in response.content
    assert reverse("portal:ticket_new").encode() in response.content
