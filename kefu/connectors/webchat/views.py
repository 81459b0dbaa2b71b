"""The widget's files (served at a stable URL a site owner pastes once), the visitor's upload endpoint,
chat attachments behind signed links, and a demo page that embeds the widget."""

import functools
from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from kefu.chat import rules, services
from kefu.chat.models import ChatMessage, ChatSite
from kefu.core.errors import DomainError, NotFound
from kefu.surveys import chat_surveys

from . import throttle
from .consumers import read_token
from .files import frame, message_id_from

SURVEY_ERRORS = {400: "invalid", 410: "closed"}
WIDGET_DIR = Path(__file__).resolve().parents[2] / "static" / "kefu" / "chat"
CACHE_SECONDS = 300


def _file(name: str, content_type: str) -> HttpResponse:
    response = HttpResponse((WIDGET_DIR / name).read_bytes(), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    return _file("widget.js", "application/javascript; charset=utf-8")


@require_GET
def widget_css(request: HttpRequest) -> HttpResponse:
    return _file("widget.css", "text/css; charset=utf-8")


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    """A plain page with the one-line embed, for trying a site's widget (`?site=KEY`)."""
    key = request.GET.get("site", "")
    site = ChatSite.objects.filter(key=key, is_active=True).first() if len(key) <= 32 else None
    if site is None:
        raise Http404
    return render(request, "webchat/demo.html", {"site": site})


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Vary"] = "Origin"
    return response


def widget_post(handle: Callable[[HttpRequest, ChatSite], JsonResponse]) -> Callable[..., HttpResponse]:
    """A POST the widget sends from the customer's site: the chat site must exist and allow the page's
    origin (403 JSON otherwise), the browser's preflight is answered, and `handle(request, site)` answers in
    the visitor's language (`lang`), with the CORS headers. No cookies are involved: the visitor is the
    signed token in the form, so there is no CSRF token either."""

    @csrf_exempt
    @require_http_methods(["POST", "OPTIONS"])
    @functools.wraps(handle)
    def view(request: HttpRequest, site_key: str) -> HttpResponse:
        origin = request.headers.get("Origin", "")
        site = ChatSite.objects.filter(key=site_key[:32], is_active=True).first()
        if site is None or not site.allows_origin(origin):
            return JsonResponse({"error": "forbidden"}, status=403)
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204), origin)
        with translation.override("en" if request.POST.get("lang") == "en" else "zh-hans"):
            return _cors(handle(request, site), origin)

    return view


@widget_post
def upload(request: HttpRequest, site: ChatSite) -> JsonResponse:
    """A visitor's image or file: stored as a chat message and pushed like one; JSON `{"id", "file"}`."""
    visitor_id = read_token(site, request.POST.get("token"))
    conversation = services.open_conversation(site=site, visitor_id=visitor_id) if visitor_id else None
    upload = request.FILES.get("file")
    client_id = rules.clean_client_id(request.POST.get("client_id"))
    if conversation is None or upload is None or client_id is None:
        return JsonResponse({"error": "not_started"}, status=400)
    if not throttle.allow(site.key, visitor_id):
        return JsonResponse({"error": "rate_limited"}, status=429)
    try:
        posted = services.post_visitor_file(conversation=conversation, upload=upload, client_id=client_id)
    except DomainError as error:
        return JsonResponse({"error": "invalid", "message": str(error.message)}, status=400)
    data = frame(posted.message)  # pushed to the chat's sockets by the chat-message listener
    return JsonResponse({"id": posted.message.pk, "client_id": client_id, "file": data["file"]})


@widget_post
def survey(request: HttpRequest, site: ChatSite) -> JsonResponse:
    """The visitor's rating of their ended chat (`token`, `conversation`, `csat` 1–5, `comment`): JSON."""
    visitor_id = read_token(site, request.POST.get("token"))
    if visitor_id is None:
        return JsonResponse({"error": "forbidden"}, status=403)
    if not throttle.allow(site.key, visitor_id):
        return JsonResponse({"error": "rate_limited"}, status=429)
    data = request.POST
    try:
        chat_surveys.answer_chat_survey(
            site=site,
            visitor_id=visitor_id,
            conversation_id=data.get("conversation"),
            csat=data.get("csat"),
            comment=data.get("comment", ""),
        )
    except NotFound:
        return JsonResponse({"error": "not_found"}, status=404)
    except DomainError as error:  # invalid input (400) or closed (410), with the service's message
        code = SURVEY_ERRORS.get(error.status_code, "refused")
        body = {"error": code, "message": str(error.message), "field": error.field or ""}
        return JsonResponse(body, status=error.status_code)
    return JsonResponse({"answered": True})


@require_GET
def attachment(request: HttpRequest, token: str) -> FileResponse:
    """A chat attachment behind its signed link: images inline, anything else as a download."""
    message_id = message_id_from(token)
    message = ChatMessage.objects.filter(pk=message_id).exclude(attachment="").first() if message_id else None
    if message is None:
        raise Http404
    try:
        handle = message.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=message.attachment_type,
        as_attachment=not message.attachment_type.startswith("image/"),
        filename=message.attachment_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
