"""The bell, the notifications page and each user's notification preferences."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.notifications.models import Kind, Notification
from kefu.notifications.services import mark_read, preferences_of, set_preferences, unread_count
from kefu.notifications.texts import describe

from .common import staff_required

PER_PAGE = 30


@require_GET
@staff_required(permissions=False)
def bell(request: HttpRequest) -> HttpResponse:
    """The header's bell with the unread count; loaded after the page and again on every live hint."""
    return render(request, "workspace/_notification_bell.html", {"unread": unread_count(request.user)})


@require_GET
@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """`/agent/notifications/`: newest first; the unread ones shown are marked read by opening the page."""
    queryset = Notification.objects.for_user(request.user).select_related("ticket", "actor")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    items = [(note, describe(note)) for note in page.object_list]
    fresh = [note for note, _text in items if note.read_at is None]
    if fresh:
        mark_read(user=request.user, notifications=fresh)
    return render(request, "workspace/notifications.html", {"page": page, "items": items})


@require_POST
@staff_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("workspace:notifications")


class PreferencesForm(forms.Form):
    """Two check boxes per kind: in the app, by e-mail."""

    def __init__(self, *args, initial_choices: dict[str, tuple[bool, bool]], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            in_app, by_email = initial_choices[kind]
            self.fields[f"{kind}-app"] = forms.BooleanField(label=label, required=False, initial=in_app)
            self.fields[f"{kind}-email"] = forms.BooleanField(label=label, required=False, initial=by_email)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(label, self[f"{kind}-app"], self[f"{kind}-email"]) for kind, label in Kind.choices]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {kind: (data[f"{kind}-app"], data[f"{kind}-email"]) for kind in Kind.values}


@require_http_methods(["GET", "POST"])
@staff_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """`/agent/notifications/preferences/`: which kinds the user gets in the app and by e-mail."""
    current = preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, initial_choices=current)
        if form.is_valid():
            set_preferences(user=request.user, actor=request.user, choices=form.choices())
            messages.success(request, _("Notification preferences saved."))
            return redirect("workspace:notification_preferences")
    else:
        form = PreferencesForm(initial_choices=current)
    return render(
        request,
        "workspace/notification_preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
