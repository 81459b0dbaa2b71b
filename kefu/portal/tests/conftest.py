"""Portal fixtures: a browser session signed in as the `customer_user` persona, and tickets to look at."""

import pytest
from django.test import Client


@pytest.fixture
def customer_client(customer_user) -> Client:
    """A browser signed in as 陈小姐 (the `customer` persona's portal login)."""
    client = Client()
    client.force_login(customer_user)
    return client


@pytest.fixture
def other_customer_client(other_customer) -> Client:
    """A browser signed in as another customer, who must see nothing of 陈小姐's tickets."""
    from kefu.tests.factories import UserFactory

    user = UserFactory(username="other", is_staff=False, display_name="Other Customer")
    other_customer.user = user
    other_customer.save()
    client = Client()
    client.force_login(user)
    return client
