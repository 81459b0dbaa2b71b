"""The public survey page: no login, reached by the link's token. It shows the ticket's number and subject
and nothing else of the customer; the rules live in `services`. And the supervisors' CSAT report per agent."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kefu.accounts.decorators import staff_required
from kefu.accounts.models import Team
from kefu.core import clock
from kefu.core.errors import InvalidInput, NotFound

from . import services
from .forms import SurveyForm
from .models import Survey


@require_http_methods(["GET", "HEAD", "POST"])  # HEAD: link checkers of mail servers
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the questions (with an earlier answer filled in); POST stores the answer once more."""
    try:
        survey = services.survey_for_token(token)
    except NotFound:
        return render(request, "surveys/not_found.html", status=404)
    with translation.override(_page_language(request, survey)):
        response = _answer(request, survey)
        response.headers["Content-Language"] = translation.get_language()
    return response


def _answer(request: HttpRequest, survey: Survey) -> HttpResponse:
    if not services.is_open(survey):
        return _closed(request, survey)
    if request.method != "POST":
        initial = {"csat": survey.csat, "nps": survey.nps, "comment": survey.comment}
        return _page(request, survey, SurveyForm(initial=initial if survey.is_answered else None))
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            services.answer_survey(survey=survey, **form.cleaned_data)
        except services.SurveyClosed:
            return _closed(request, survey)
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Thank you for your feedback!"))
            return redirect("surveys:answer", token=survey.token)
    return _page(request, survey, form, status=400)


def _page(request: HttpRequest, survey: Survey, form: SurveyForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "surveys/answer.html",
        {"survey": survey, "ticket": survey.ticket, "form": form},
        status=status,
    )


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, "surveys/closed.html", {"survey": survey, "ticket": survey.ticket}, status=410)


def _page_language(request: HttpRequest, survey: Survey) -> str:
    """A language the visitor picked (the switch's cookie, a signed-in user's setting) wins; otherwise the
    customer's language, the one their solved notice was written in; otherwise Accept-Language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or (
        request.user.is_authenticated and getattr(request.user, "language", "")
    )
    for candidate in (chosen, survey.language):
        if candidate:
            try:
                return translation.get_supported_language_variant(candidate)
            except LookupError:
                continue
    return translation.get_language()  # LocaleMiddleware's pick from Accept-Language


# Who sees every agent's CSAT: the roles that see the whole center (the dashboard's audience).
REPORT_PERMISSION = "tickets.view_all_tickets"
REPORT_PERIODS = (7, 30, 90)  # days; 30 is the default


@require_GET
@staff_required(any_perm=[REPORT_PERMISSION])
def report(request: HttpRequest) -> HttpResponse:
    """CSAT per agent over the last 7/30/90 days, for everyone or one team (the team that solved)."""
    days = _period(request.GET.get("days"))
    teams = list(Team.objects.order_by("name"))
    team = _chosen_team(request.GET.get("team"), teams)
    until = clock.now()
    since = until - timedelta(days=days)
    context = {
        "days": days,
        "periods": REPORT_PERIODS,
        "teams": teams,
        "team": team,
        "summary": services.survey_summary(since, until, team=team),
        "rows": services.csat_by_agent(since, until, team=team),
    }
    return render(request, "surveys/report.html", context)


def _period(value: str | None) -> int:
    return int(value) if value in {str(days) for days in REPORT_PERIODS} else REPORT_PERIODS[1]


def _chosen_team(value: str | None, teams: list[Team]) -> Team | None:
    return next((team for team in teams if str(team.pk) == value), None)
