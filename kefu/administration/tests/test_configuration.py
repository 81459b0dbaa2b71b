"""Configuration on /manage/: categories, priorities, tags, macros and custom fields, all audited."""

import pytest

from kefu.audit.models import AuditEntry
from kefu.tests.factories import CategoryFactory, MacroFactory, PriorityFactory
from kefu.tickets.models import Category, CustomField, Macro, Priority, Tag

pytestmark = pytest.mark.django_db


def test_supervisor_adds_a_category(client, supervisor):
    client.force_login(supervisor)

    response = client.post(
        "/manage/categories/new/",
        {
            "code": "complaint",
            "name": "投诉",
            "name_en": "Complaint",
            "position": "2",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    category = Category.objects.get(code="complaint")
    assert category.name == "投诉"
    entry = AuditEntry.objects.get(action="category.create", object_id=str(category.pk))
    assert entry.changes["name"] == [None, "投诉"]


def test_a_categorys_code_cannot_change_but_its_name_can(client, supervisor):
    category = CategoryFactory(code="order", name="订单")
    client.force_login(supervisor)

    client.post(
        f"/manage/categories/{category.pk}/",
        {
            "code": "hacked",
            "name": "订单问题",
            "name_en": "Orders",
            "position": "1",
        },
    )

    category.refresh_from_db()
    assert category.code == "order"
    assert category.name == "订单问题" and not category.is_active
    entry = AuditEntry.objects.get(action="category.update", object_id=str(category.pk))
    assert entry.changes["name"] == ["订单", "订单问题"]
    assert entry.changes["is_active"] == [True, False]


def test_duplicate_codes_are_errors_not_500s(client, supervisor):
    CategoryFactory(code="order")
    client.force_login(supervisor)

    response = client.post("/manage/categories/new/", {"code": "order", "name": "x", "position": "0"})

    assert response.status_code == 400
    assert response.context["form"].errors["code"]


def test_a_new_default_priority_takes_over_the_default(client, supervisor):
    normal = PriorityFactory()
    client.force_login(supervisor)

    response = client.post(
        "/manage/priorities/new/",
        {
            "code": "high",
            "name": "高",
            "name_en": "High",
            "rank": "20",
            "color": "#d97706",
            "is_default": "on",
        },
    )

    normal.refresh_from_db()
    assert response.status_code == 302
    assert Priority.objects.get(code="high").is_default
    assert not normal.is_default


def test_a_bad_colour_is_refused(client, supervisor):
    client.force_login(supervisor)

    response = client.post("/manage/priorities/new/", {"code": "x", "name": "x", "rank": "1", "color": "red"})

    assert response.status_code == 400
    assert response.context["form"].errors["color"]


def test_tags_are_added_renamed_and_deleted(client, supervisor, ticket):
    client.force_login(supervisor)
    client.post("/manage/tags/new/", {"name": "vip"})
    tag = Tag.objects.get(name="vip")
    ticket.tags.add(tag)

    client.post(f"/manage/tags/{tag.pk}/", {"name": "VIP客户"})
    tag.refresh_from_db()
    renamed = tag.name
    client.post(f"/manage/tags/{tag.pk}/delete/")

    assert renamed == "VIP客户"
    assert not Tag.objects.exists()
    assert ticket.tags.count() == 0
    assert AuditEntry.objects.filter(action="tag.delete").exists()


def test_supervisor_writes_a_macro_with_actions(client, supervisor, front_line):
    PriorityFactory(code="high", name="高", rank=20, is_default=False)
    CategoryFactory(code="complaint")
    client.force_login(supervisor)

    response = client.post(
        "/manage/macros/new/",
        {
            "name": "升级投诉",
            "body": "您好 {{ customer.name }}，工单 #{{ ticket.number }} 已升级。",
            "is_shared": "on",
            "status": "open",
            "priority": "high",
            "category": "complaint",
            "team": str(front_line.pk),
            "severity": "major",
            "add_tags": "投诉, 升级，投诉",
        },
    )

    assert response.status_code == 302
    macro = Macro.objects.get(name="升级投诉")
    assert macro.owner == supervisor and macro.is_shared
    assert macro.actions == {
        "status": "open",
        "priority": "high",
        "category": "complaint",
        "team": front_line.pk,
        "severity": "major",
        "add_tags": ["升级", "投诉"],
    }
    assert AuditEntry.objects.filter(action="macro.create", object_id=str(macro.pk)).exists()


def test_editing_a_macro_shows_its_actions_and_can_clear_them(client, supervisor):
    macro = MacroFactory(actions={"status": "pending", "add_tags": ["a", "b"]})
    client.force_login(supervisor)

    form = client.get(f"/manage/macros/{macro.pk}/").context["form"]
    client.post(f"/manage/macros/{macro.pk}/", {"name": macro.name, "body": macro.body})

    macro.refresh_from_db()
    assert form["status"].initial == "pending" and form["add_tags"].initial == "a, b"
    assert macro.actions == {}


def test_a_macro_naming_a_missing_priority_is_refused(client, supervisor):
    client.force_login(supervisor)

    response = client.post("/manage/macros/new/", {"name": "x", "body": "y", "priority": "nonexistent"})

    assert response.status_code == 400
    assert not Macro.objects.exists()


def test_custom_fields_with_choices(client, supervisor):
    client.force_login(supervisor)

    response = client.post(
        "/manage/fields/new/",
        {
            "key": "product",
            "name": "产品型号",
            "name_en": "Product",
            "kind": "choice",
            "choices_text": "X1\nX2\n\nX1\n",
            "required": "on",
            "position": "0",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    field = CustomField.objects.get(key="product")
    assert field.choices == ["X1", "X2"] and field.required and not field.customer_visible


def test_a_choice_field_without_choices_is_an_error(client, supervisor):
    client.force_login(supervisor)

    response = client.post(
        "/manage/fields/new/",
        {
            "key": "product",
            "name": "产品型号",
            "kind": "choice",
            "choices_text": "",
            "position": "0",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["choices_text"]


def test_categories_cannot_be_deleted_only_deactivated(client, supervisor):
    category = CategoryFactory()
    client.force_login(supervisor)

    response = client.post(f"/manage/categories/{category.pk}/delete/")

    assert response.status_code == 404
    assert Category.objects.filter(pk=category.pk).exists()


def test_config_services_refuse_agents(agent):
    from kefu.administration import services
    from kefu.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.save_tag(actor=agent, values={"name": "x"})
