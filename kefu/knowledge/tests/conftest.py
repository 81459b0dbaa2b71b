from .factories import editor  # noqa: F401
