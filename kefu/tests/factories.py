"""Factories for the core domain objects. Tests build what they need with these, never with fixtures files."""

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from kefu.accounts.models import Team, User
from kefu.core.crypto import lookup_hash
from kefu.customers.models import Customer, Identity, IdentityKind
from kefu.customers.rules import normalize_identity
from kefu.tickets.models import (
    AuthorKind,
    Category,
    Macro,
    Message,
    MessageKind,
    Priority,
    Ticket,
    priority_rank_of,
)
from kefu.tickets.search import index_ticket

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@staff.example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=code) for code in extracted])
        if create:
            self.save()

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            for team in extracted:
                team.members.add(self)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"团队{n}")
    name_en = factory.Sequence(lambda n: f"Team {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"客户{n}")

    @factory.post_generation
    def email(self, create, extracted, **kwargs):
        value = extracted or f"customer{self.pk}@example.com"
        if create:
            add_identity(self, IdentityKind.EMAIL, value)


def add_identity(customer: Customer, kind: str, value: str) -> Identity:
    normalized = normalize_identity(kind, value)
    return Identity.objects.create(customer=customer, kind=kind, value=normalized, lookup=lookup_hash(normalized))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority
        django_get_or_create = ("code",)

    code = "normal"
    name = "普通"
    name_en = "Normal"
    rank = 10
    is_default = True


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket with its first customer message, as intake would leave it."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"订单 {n} 未发货")
    customer = factory.SubFactory(CustomerFactory)
    channel = "web"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda t: t.created_at)
    message_count = 1
    priority_rank = factory.LazyAttribute(lambda t: priority_rank_of(getattr(t, "priority", None)))

    @factory.post_generation
    def first_message(self, create, extracted, **kwargs):
        if create:
            Message.objects.create(
                ticket=self, kind=MessageKind.CUSTOMER, author_kind=AuthorKind.CUSTOMER,
                body_text=extracted or "我的订单三天了还没有发货，请尽快处理。", channel=self.channel,
                created_at=self.created_at,
            )
            index_ticket(self.pk)  # as the search listener does after intake's commit


class MacroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Macro

    name = factory.Sequence(lambda n: f"Macro {n}")
    body = "您好 {{ customer.name }}，您的工单 #{{ ticket.number }} 已收到。"
