"""Logging in and out, the language switch and one's own profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from kefu.core.errors import DomainError

from . import rules, services, throttle
from .decorators import staff_required as _staff_required
from .forms import KefuPasswordChangeForm, LoginForm, ProfileForm
from .language import set_language_cookie

NEW_TOKEN_SESSION_KEY = "kefu_new_api_token"


def _portal_home() -> str:
    try:
        return reverse("portal:home")
    except NoReverseMatch:
        return "/portal/"


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


class LoginView(auth_views.LoginView):
    """Staff and customers log in here; too many failures for a name or an address lock it out for a while."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if throttle.is_locked(username=username, ip=throttle.client_ip(request)):
            form = self.get_form_class()(request, data=None, initial={"username": username[:150]})
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            context = self.get_context_data(form=form, throttled=True, minutes=minutes)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.record_failure(
            username=self.request.POST.get("username", ""), ip=throttle.client_ip(self.request)
        )
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.clear(username=form.cleaned_data.get("username", ""))
        response = super().form_valid(form)
        user = form.get_user()
        if user.language:
            set_language_cookie(response, user.language)
        return response

    def get_success_url(self) -> str:
        user = self.request.user
        wanted = self.get_redirect_url()
        if rules.login_redirect_kind(is_staff=user.is_staff) == "portal":
            return wanted if wanted.startswith("/portal/") else _portal_home()
        return wanted or _staff_home(user)


def home(request: HttpRequest) -> HttpResponse:
    """The site root: staff to the workspace, signed-in customers to the portal, everyone else to log in."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
    if rules.login_redirect_kind(is_staff=request.user.is_staff) == "portal":
        return HttpResponseRedirect(_portal_home())
    return HttpResponseRedirect(_staff_home(request.user))


def _staff_home(user) -> str:
    """Where staff start: those who work tickets in their queue; the read-only roles, who have no queue of
    their own, where their work is (inspectors in the quality workbench, analysts and trainers on the
    dashboard)."""
    if user.has_perm("tickets.change_ticket"):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    if user.has_perm("quality.add_review"):
        return resolve_url("quality:home")
    if user.has_perm("tickets.view_all_tickets"):
        return resolve_url("analytics:dashboard")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link or an image cannot log anyone out."""


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: remember the choice on the user (when logged in) and in the cookie, go back."""
    language = request.POST.get("language", "")
    next_url = (
        _safe_next(request, request.POST.get("next"))
        or _safe_next(request, request.headers.get("referer"))
        or "/"
    )
    response = HttpResponseRedirect(next_url)
    if language not in {code for code, _name in settings.LANGUAGES}:
        return response
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=language)
    set_language_cookie(response, language)
    return response


# Customers have their own pages in the portal: a customer opening a staff page is sent there.
staff_required = _staff_required(permissions=False, customers_to_portal=True)


def _profile_context(request: HttpRequest, **forms) -> dict:
    user = request.user
    token = Token.objects.filter(user=user).first() if user.is_staff else None
    forms.setdefault(
        "profile_form",
        ProfileForm(
            initial={
                "display_name": user.display_name,
                "language": user.language,
                "timezone": user.timezone,
                "presence": user.presence,
            },
            current_timezone=user.timezone,
        ),
    )
    forms.setdefault("password_form", KefuPasswordChangeForm(user))
    forms["password_form"].fields["old_password"].widget.attrs.pop(
        "autofocus", None
    )  # not the page's first field
    return {
        **forms,
        "token": token,
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        "show_token": user.is_staff,
    }


@staff_required
def profile(request: HttpRequest) -> HttpResponse:
    """One's own profile: name, language, time zone, presence; the password and API token forms post elsewhere."""
    if request.method == "POST":
        form = ProfileForm(request.POST, current_timezone=request.user.timezone)
        if form.is_valid():
            try:
                services.update_profile(user=request.user, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Your profile was saved."))
                response = HttpResponseRedirect(reverse("accounts:profile"))
                if request.user.language:
                    set_language_cookie(response, request.user.language)
                return response
        return render(
            request, "accounts/profile.html", _profile_context(request, profile_form=form), status=400
        )
    return render(request, "accounts/profile.html", _profile_context(request))


@staff_required
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    form = KefuPasswordChangeForm(request.user, request.POST)
    if form.is_valid():
        try:
            services.change_password(
                user=request.user, actor=request.user, password=form.cleaned_data["new_password1"]
            )
        except DomainError as exc:
            form.add_error("new_password1", str(exc.message))
        else:
            update_session_auth_hash(request, request.user)  # stay logged in on this device
            messages.success(request, _("Your password was changed."))
            return HttpResponseRedirect(reverse("accounts:profile"))
    return render(request, "accounts/profile.html", _profile_context(request, password_form=form), status=400)


@staff_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    """Create or regenerate (action=regenerate) or revoke (action=revoke) one's API token; staff only."""
    if request.POST.get("action") == "revoke":
        services.revoke_api_token(user=request.user, actor=request.user)
        messages.success(request, _("Your API token was revoked."))
    else:
        token = services.regenerate_api_token(user=request.user, actor=request.user)
        # Shown once on the next page; afterwards only its first characters are.
        request.session[NEW_TOKEN_SESSION_KEY] = token.key
        messages.success(request, _("A new API token was created. Copy it now: it will not be shown again."))
    return HttpResponseRedirect(reverse("accounts:profile") + "#api-token")
