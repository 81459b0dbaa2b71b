"""Personas every test can ask for by name.

`agent` works in the front-line team; `teammate` is in the same team; `outsider` is an agent of another
team who must see nothing of the front line's tickets (include her in every permission test);
`supervisor` sees everything; `customer_user` is a portal login of `customer`.
"""

import pytest

from kefu.accounts import roles

from .factories import PASSWORD, CustomerFactory, TeamFactory, TicketFactory, UserFactory


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def front_line(db):
    return TeamFactory(name="接线组", name_en="Front line")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="技术支持组", name_en="Tech support")


@pytest.fixture
def agent(front_line):
    return UserFactory(username="agent", display_name="王芳", roles=[roles.AGENT], teams=[front_line])


@pytest.fixture
def teammate(front_line):
    return UserFactory(username="teammate", display_name="李娜", roles=[roles.AGENT], teams=[front_line])


@pytest.fixture
def outsider(other_team):
    return UserFactory(username="outsider", display_name="Outsider", roles=[roles.TECH_SUPPORT], teams=[other_team])


@pytest.fixture
def supervisor(front_line):
    return UserFactory(username="supervisor", display_name="张主管", roles=[roles.SUPERVISOR], teams=[front_line])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=[roles.ADMIN], is_superuser=True)


@pytest.fixture
def customer(db):
    return CustomerFactory(name="陈小姐", email="chen@example.com")


@pytest.fixture
def customer_user(customer):
    user = UserFactory(username="chen", is_staff=False, display_name="陈小姐")
    customer.user = user
    customer.save()
    return user


@pytest.fixture
def other_customer(db):
    return CustomerFactory(name="Other Customer", email="other@example.com")


@pytest.fixture
def ticket(customer, front_line):
    return TicketFactory(customer=customer, team=front_line)


@pytest.fixture
def other_team_ticket(other_customer, other_team):
    return TicketFactory(customer=other_customer, team=other_team, subject="Server down")
