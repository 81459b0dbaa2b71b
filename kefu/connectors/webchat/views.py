"""The widget's files (served at a stable URL a site owner pastes once) and a demo page that embeds it."""

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.chat.models import ChatSite

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
