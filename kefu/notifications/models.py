"""In-app and e-mail notifications to staff, and what each user chooses to get."""

from django.db import models  # noqa: F401
