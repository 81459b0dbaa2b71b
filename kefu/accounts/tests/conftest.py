import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Argon2 is slow on purpose; these tests create many users, so they hash with a fast (insecure) hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
