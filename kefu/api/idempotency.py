"""`Idempotency-Key` for every POST: a retried request returns the first answer and creates nothing.

A client that may retry (a timeout, a dropped connection) sends a key of its own choosing, unique per
logical request (a UUID is good), in the `Idempotency-Key` header. Then:

* The first request with a key claims a row `(user, key)` — unique — *inside the request's transaction*,
  runs, and stores its status and JSON body with a fingerprint of the request (sha256 of method, path,
  query and body; for multipart uploads the form fields and each file's name and content hash).
* A retry with the same key and the same fingerprint gets the stored response again, with the header
  `Idempotent-Replayed: true`; the view does not run, nothing is created.
* The same key with a different request is refused with 422: keys must not be reused.
* Two requests with the same key at the same moment: the second one's claim waits on the first one's
  uncommitted row (the database's unique index does the waiting), then replays its answer. If the first
  is still running after `KEFU_IDEMPOTENCY_WAIT_SECONDS` (PostgreSQL lock_timeout; default 10 s), the
  second gets 409 "a request with this key is in progress" and may retry later. On SQLite, writers
  are serialised anyway, so the second waits for the first and replays.
* Only successful (2xx) answers are kept. A failed request (400, 403, 404 …) rolls back its claim with
  everything else, so the client can correct it or retry with the same key.
* Keys are kept 24 hours (`KEY_TTL`); an expired key is claimed afresh, and
  `kefu.api.services.purge_expired_idempotency_keys()` deletes old rows.

Views get this by inheriting `IdempotentPostMixin`, which wraps whatever handles POST.
"""

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_TTL = timedelta(hours=24)
# Visible ASCII without spaces, up to the column's length: UUIDs, ULIDs, "order-123-retry" …
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was already used for a different request. Use a new key for every new request."
    )
    default_code = "idempotency_key_reused"


class IdempotencyKeyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is in progress. Retry in a moment.")
    default_code = "idempotency_key_in_progress"


def respond_idempotently(request, handler: Callable[[], Response]) -> Response:
    """Run `handler` at most once per (user, Idempotency-Key); without the header just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    key = key.strip()
    if not _VALID_KEY.match(key):
        raise ValidationError(
            {HEADER: [_("Use 1 to 255 visible ASCII characters without spaces, for example a UUID.")]}
        )
    fingerprint = request_fingerprint(request)
    with transaction.atomic():
        row, stored = _claim(request.user, key, fingerprint)
        if stored is not None:
            return _replay(stored)
        response = handler()
        if 200 <= response.status_code < 300 and hasattr(response, "data"):
            row.status_code = response.status_code
            row.response = json.loads(json.dumps(response.data, cls=JSONEncoder))
            row.save(update_fields=["status_code", "response"])
        else:
            # Keep nothing of a failed request: the claim goes with the rest of the transaction.
            transaction.set_rollback(True)
        return response


def request_fingerprint(request) -> str:
    """sha256 of what makes two requests "the same": method, path with query, and the body."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.get_full_path()}\n".encode())
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # Multipart boundaries differ between retries of the same upload; hash the parsed form instead
        # (and never read a large upload into memory as one body).
        digest.update(json.dumps(_form_fingerprint(request.data), sort_keys=True).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _form_fingerprint(data) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name in data:
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        fields[name] = [_file_digest(v) if hasattr(v, "chunks") else str(v) for v in values]
    return fields


def _file_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"file:{upload.name}:{upload.size}:{digest.hexdigest()}"


def _claim(user, key: str, fingerprint: str) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """Insert our row, or return the finished row of an earlier request with this key.

    Returns (our claimed row, None) or (None, the stored row to replay).
    """
    for _attempt in range(2):
        try:
            with transaction.atomic():
                with _bounded_lock_wait():
                    return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint), None
        except OperationalError:
            # PostgreSQL lock_timeout: the first request with this key has not finished yet.
            raise IdempotencyKeyInProgress()
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:
            continue  # purged between our insert and our look; claim again
        if existing.created_at < timezone.now() - KEY_TTL:
            existing.delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if existing.status_code is None:
            raise IdempotencyKeyInProgress()
        return None, existing
    raise IdempotencyKeyInProgress()


class _bounded_lock_wait:
    """On PostgreSQL, wait at most KEFU_IDEMPOTENCY_WAIT_SECONDS for a concurrent claim of the same key."""

    def __enter__(self):
        self.active = connection.vendor == "postgresql"
        if self.active:
            seconds = getattr(settings, "KEFU_IDEMPOTENCY_WAIT_SECONDS", 10)
            with connection.cursor() as cursor:
                # One round trip: read the setting to restore (in the fenced subquery, so first), then set ours.
                cursor.execute(
                    "SELECT previous.setting, set_config('lock_timeout', %s, true)"
                    " FROM (SELECT current_setting('lock_timeout') AS setting OFFSET 0) AS previous",
                    [f"{int(seconds * 1000)}ms"],
                )
                self.previous = cursor.fetchone()[0]
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.active and exc_type is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [self.previous])
        return False


def _replay(stored: IdempotencyKey) -> Response:
    return Response(stored.response, status=stored.status_code, headers={REPLAYED_HEADER: "true"})


def _idempotent(handler):
    @functools.wraps(handler)
    def idempotent_handler(request, *args, **kwargs):
        return respond_idempotently(request, lambda: handler(request, *args, **kwargs))

    idempotent_handler.kefu_idempotent = True
    return idempotent_handler


class IdempotentAutoSchema(AutoSchema):
    """Documents the Idempotency-Key header on every POST operation."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=str(
                        _(
                            "Optional. Send a new unique key (a UUID) per request; a retry with the same key "
                            "returns the first response (header Idempotent-Replayed: true) and creates "
                            "nothing. The same key with a different body gives 422; while the first request "
                            "still runs, 409. Keys are kept for 24 hours."
                        )
                    ),
                )
            )
        return parameters


class IdempotentPostMixin:
    """Every POST handled by this view honours the Idempotency-Key header (see the module docstring)."""

    schema = IdempotentAutoSchema()

    def initial(self, request, *args, **kwargs):
        # After authentication and permission checks, before the handler runs: wrap the POST handler.
        super().initial(request, *args, **kwargs)
        handler = getattr(self, "post", None)
        if (
            request.method == "POST"
            and handler is not None
            and not getattr(handler, "kefu_idempotent", False)
        ):
            self.post = _idempotent(handler)
