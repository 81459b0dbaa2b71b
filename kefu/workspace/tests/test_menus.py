"""The workspace's menus come from a per-process copy of the configuration (issue 7): read once, read again
after any change to categories, priorities, teams, tags, custom fields or the staff list, and never mixed
up with anyone's permissions."""

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.accounts.models import Team
from kefu.tests.factories import CategoryFactory, MacroFactory, TicketFactory, UserFactory
from kefu.tickets import services
from kefu.tickets.models import Tag
from kefu.tickets.services import TicketChanges
from kefu.workspace.menus import menus

# Committed rows, as in production: a transaction that changed configuration reads it fresh until it ends.
pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("workspace:home")
CONFIGURATION_TABLES = ('"tickets_category"', '"tickets_priority"', '"tickets_tag"', '"tickets_customfield"')


def configuration_reads(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    # Lists of a whole table; the user's own teams (a join, read per request for visibility) are not menus.
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].split(" FROM ")[-1].startswith(CONFIGURATION_TABLES + ('"accounts_team"',))
        and " JOIN " not in q["sql"]
    ]


def test_queue_and_ticket_page_read_no_configuration_once_warm(login, agent, ticket):
    """The second request of each page runs no statement on the configuration's tables."""
    client = login(agent)
    page = reverse("workspace:ticket", args=[ticket.pk])
    client.get(URL)
    client.get(page)

    assert configuration_reads(client, URL) == []
    assert configuration_reads(client, page) == []


def test_a_new_category_shows_in_the_queue_at_once(login, agent, ticket):
    """Saving configuration makes the next request read the menus again."""
    client = login(agent)
    client.get(URL)

    CategoryFactory(code="new-kind", name="新类别", name_en="Brand new kind")

    assert ">Brand new kind</option>" in client.get(URL).content.decode()


def test_a_new_tag_shows_in_the_queue_suggestions_at_once(login, agent, ticket):
    client = login(agent)
    client.get(URL)

    Tag.objects.create(name="zz-new-tag")

    assert '<option value="zz-new-tag"></option>' in client.get(URL).content.decode()


def test_a_renamed_team_shows_on_the_ticket_page(login, agent, ticket, front_line):
    client = login(agent)
    page = reverse("workspace:ticket", args=[ticket.pk])
    client.get(page)

    front_line.name_en = "Renamed line"
    front_line.save()

    assert ">Renamed line</option>" in client.get(page).content.decode()


def test_staff_menu_follows_names_and_flags_but_not_logins(agent, teammate):
    """A rename or a deactivation reads the staff list again; a login (only `last_login` saved) does not."""
    first = menus()
    user_logged_in.send(sender=type(agent), request=None, user=agent)  # saves last_login alone
    assert menus() is first

    teammate.display_name = "改了名字"
    teammate.save()
    renamed = menus()
    assert renamed is not first
    assert "改了名字" in renamed.staff_options_html

    teammate.is_active = False
    teammate.save(update_fields=["is_active"])
    assert teammate.pk not in {person.pk for person in menus().staff}


def test_menus_escape_tag_and_staff_names():
    UserFactory(display_name='<b>"坏"</b>', is_staff=True)
    Tag.objects.create(name='a"<b>')

    current = menus()

    assert '<option value="a&quot;&lt;b&gt;"></option>' in current.tag_options_html
    assert "&lt;b&gt;&quot;坏&quot;&lt;/b&gt;" in current.staff_options_html


def test_bulk_assignment_leaves_the_shared_staff_copy_untouched(
    login, supervisor, agent, front_line, customer
):
    """The services check (and cache) the assignee's permissions on the object they get: never the copy's."""
    ticket = TicketFactory(customer=customer, team=front_line)
    client = login(supervisor)
    client.get(URL)

    response = client.post(reverse("workspace:bulk"), {"ticket": [ticket.pk], "assignee": agent.pk})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == agent.pk
    assert not any(hasattr(person, "_perm_cache") for person in menus().staff)


def test_ticket_page_keeps_an_inactive_category_of_its_ticket(login, agent, ticket):
    """Only active categories are offered, plus the ticket's own even when deactivated."""
    old = CategoryFactory(code="retired", name="停用", name_en="Retired kind", is_active=False)
    services.update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(category=old))
    other = TicketFactory(customer=ticket.customer, team=ticket.team)
    client = login(agent)
    own = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    another = client.get(reverse("workspace:ticket", args=[other.pk])).content.decode()

    assert ">Retired kind</option>" in own
    assert ">Retired kind</option>" not in another


def test_team_copy_is_dropped_when_a_team_is_deleted(front_line):
    extra = Team.objects.create(name="临时组")
    assert extra.pk in {team.pk for team in menus().teams}

    extra.delete()

    assert extra.pk not in {team.pk for team in menus().teams}


def test_macro_menu_offers_shared_macros_and_only_the_users_own(login, agent, teammate, ticket):
    """Macros come from the copy too: a new one shows at once, another agent's private one never."""
    client = login(agent)
    page = reverse("workspace:ticket", args=[ticket.pk])
    client.get(page)

    MacroFactory(name="共享模板", is_shared=True)
    MacroFactory(name="我的模板", is_shared=False, owner=agent)
    MacroFactory(name="别人的模板", is_shared=False, owner=teammate)
    body = client.get(page).content.decode()

    assert "共享模板</option>" in body and "我的模板 (mine)</option>" in body
    assert "别人的模板" not in body


def test_bulk_assign_offers_only_staff_who_may_work_tickets_and_follows_role_changes(agent):
    """The bulk-assign menu leaves out read-only roles; giving one of them a working role (a change of
    groups only, no save of the user) shows them at once."""
    from django.contrib.auth.models import Group

    from kefu.accounts import roles

    analyst = UserFactory(display_name="分析员小李", roles=[roles.ANALYST])

    assert "分析员小李" not in menus().staff_options_html
    assert analyst.pk in {person.pk for person in menus().staff}  # still a filter choice in the queue

    analyst.groups.add(Group.objects.get(name=roles.AGENT))

    assert "分析员小李" in menus().staff_options_html
