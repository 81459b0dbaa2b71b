"""kefu/conftest.py keeps every test's side effects inside the test run."""

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail


def test_uploads_land_in_a_temporary_media_root_not_the_installation():
    name = default_storage.save("isolation/check.txt", ContentFile(b"hello"))

    path = default_storage.path(name)
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.VAR_DIR))


def test_mail_goes_to_the_test_outbox(mailoutbox):
    send_mail("Subject", "Body", "support@kefu.localhost", ["customer@example.com"])

    assert [message.subject for message in mailoutbox] == ["Subject"]


def test_jobs_run_eagerly_and_pushes_use_the_in_memory_layer():
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    from kefu.config.celery import app

    assert app.conf.task_always_eager is True
    assert isinstance(get_channel_layer(), InMemoryChannelLayer)


def test_each_test_starts_with_an_empty_cache_part_1():
    assert cache.get("isolation-marker") is None
    cache.set("isolation-marker", 1)


def test_each_test_starts_with_an_empty_cache_part_2():
    assert cache.get("isolation-marker") is None
    cache.set("isolation-marker", 1)


def test_production_settings_hash_passwords_with_argon2():
    """Tests swap in a fast hasher; the shipped settings must still put Argon2 first."""
    import importlib

    import kefu.config.settings as shipped

    shipped = importlib.reload(shipped)
    assert shipped.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
