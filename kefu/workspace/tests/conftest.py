"""Fixtures for the workspace's page tests: logged-in clients per persona and stored files in a temp dir."""

import pytest
from django.test import Client

from kefu.tests.factories import CategoryFactory, PriorityFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def login():
    """A client logged in as the given user, reading English (assertions do not depend on compiled catalogs)."""

    def make(user, language: str = "en") -> Client:
        client = Client(headers={"Accept-Language": language})
        client.force_login(user)
        return client

    return make


@pytest.fixture
def normal_priority(db):
    return PriorityFactory()


@pytest.fixture
def urgent_priority(db):
    return PriorityFactory(
        code="urgent", name="紧急", name_en="Urgent", rank=40, color="#dc2626", is_default=False
    )


@pytest.fixture
def complaint(db):
    return CategoryFactory(code="complaint", name="投诉", name_en="Complaint")
