"""Factories and a knowledge-editor persona for the knowledge tests."""

import factory
import pytest
from django.contrib.auth.models import Permission

from kefu.knowledge.models import FaqEntry, FaqQuestion, KbCategory
from kefu.tests.factories import UserFactory


class KbCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KbCategory

    name = factory.Sequence(lambda n: f"分类{n}")
    name_en = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


def make_faq(
    answer: str, questions: list[str], *, language: str = "zh-hans", published: bool = True
) -> FaqEntry:
    entry = FaqEntry.objects.create(answer=answer, language=language, is_published=published)
    FaqQuestion.objects.bulk_create([FaqQuestion(entry=entry, text=q) for q in questions])
    return entry


@pytest.fixture
def editor(db):
    """A staff user allowed to write and publish knowledge base content."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="manage_knowledge"))
    return type(user).objects.get(pk=user.pk)  # fresh instance: no stale permission cache
