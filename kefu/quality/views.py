"""The quality pages: the inspectors' workbench (质检工作台), the review form, and the reviews list (我的质检)."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.accounts.decorators import staff_required
from kefu.core.errors import InvalidInput
from kefu.surveys.services import SurveySummary, survey_summary
from kefu.tickets.access import get_visible_ticket
from kefu.tickets.models import Ticket
from kefu.workspace.rows import ticket_page_urls

from . import services
from .forms import DrawForm, ReviewForm
from .models import Review, Scorecard

RECENT_REVIEWS = 20
RATINGS_DAYS = 30
PER_PAGE = 25


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The workbench for those who review; everyone else reads the reviews of their own work."""
    if not services.can_review(request.user):
        _require(request.user, services.VIEW_OWN_PERMISSION)
        return redirect("quality:reviews")
    return render(request, "quality/home.html", _home_context(request, DrawForm()))


def _home_context(request: HttpRequest, draw_form: DrawForm) -> dict:
    recent = Review.objects.filter(reviewer_id=request.user.pk).for_list()[:RECENT_REVIEWS]
    return {"queue": services.sample_queue(request.user), "draw_form": draw_form, "recent": recent}


@require_POST
@staff_required
def draw(request: HttpRequest) -> HttpResponse:
    """质检抽样: draw random solved tickets into my queue."""
    _require(request.user, services.REVIEW_PERMISSION)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return render(request, "quality/home.html", _home_context(request, form), status=400)
    data = form.cleaned_data
    since = None
    if data["since"]:
        since = timezone.make_aware(datetime.combine(data["since"], time.min))
    drawn = services.sample_for_review(
        reviewer=request.user, count=data["count"], team=data["team"], since=since
    )
    if drawn:
        text = ngettext("Drew %(count)s ticket.", "Drew %(count)s tickets.", len(drawn))
        messages.success(request, text % {"count": len(drawn)})
    else:
        messages.info(request, _("No solved tickets are left to review with these filters."))
    return redirect("quality:home")


@require_POST
@staff_required
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a drawn ticket back without reviewing it."""
    services.release_sample(reviewer=request.user, ticket_id=pk)
    return redirect("quality:home")


@require_http_methods(["GET", "POST"])
@staff_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Score one ticket; submitting again updates the reviewer's own review of it."""
    _require(request.user, services.REVIEW_PERMISSION)
    ticket = get_visible_ticket(
        request.user, pk, Ticket.objects.select_related("customer", "assignee", "team")
    )
    existing = (
        Review.objects.filter(ticket=ticket, reviewer_id=request.user.pk).select_related("agent").first()
    )
    scorecard = _chosen_scorecard(request, existing)
    if scorecard is None:
        return render(
            request, "quality/review.html", _review_context(ticket, None, None, existing), status=200
        )
    criteria = list(scorecard.criteria.all())
    if request.method == "GET":
        form = ReviewForm(initial=_initial(existing, scorecard), criteria=criteria)
        return render(request, "quality/review.html", _review_context(ticket, scorecard, form, existing))
    form = ReviewForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            services.review_ticket(
                reviewer=request.user,
                ticket=ticket,
                scorecard=scorecard,
                points=form.points(),
                notes=form.notes(),
                comment=form.cleaned_data["comment"],
                agent=form.cleaned_data["agent"],
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Review of ticket #%(number)s saved.") % {"number": ticket.pk})
            return redirect("quality:home")
    return render(
        request, "quality/review.html", _review_context(ticket, scorecard, form, existing), status=400
    )


def _chosen_scorecard(request: HttpRequest, existing: Review | None) -> Scorecard | None:
    """The scorecard the form asks for (?scorecard=, or the posted one), else the review's own, else the
    first active one. A retired scorecard is offered only to the review that used it."""
    usable = Scorecard.objects.active()
    if existing is not None:
        usable = Scorecard.objects.filter(is_active=True) | Scorecard.objects.filter(pk=existing.scorecard_id)
    wanted = request.POST.get("scorecard") or request.GET.get("scorecard")
    if wanted and wanted.isdecimal() and len(wanted) < 19:
        found = usable.filter(pk=int(wanted)).first()
        if found is not None:
            return found
    if existing is not None:
        return existing.scorecard
    return usable.first()


def _initial(existing: Review | None, scorecard: Scorecard) -> dict:
    if existing is None or existing.scorecard_id != scorecard.pk:
        return {}
    initial = {"comment": existing.comment, "agent": existing.agent_id}
    for rating in existing.ratings.all():
        initial[f"points_{rating.criterion_id}"] = rating.points
        initial[f"note_{rating.criterion_id}"] = rating.note
    return initial


def _review_context(ticket: Ticket, scorecard: Scorecard | None, form: ReviewForm | None, existing) -> dict:
    timeline = list(ticket.messages.select_related("author").prefetch_related("attachments"))
    return {
        "ticket": ticket,
        "customer": ticket.customer,
        "timeline": timeline,  # shown by the ticket page's own partial, read-only
        "ticket_urls": ticket_page_urls(ticket.pk),
        "scorecard": scorecard,
        "scorecards": list(Scorecard.objects.active()),
        "form": form,
        "existing": existing,
    }


@require_GET
@staff_required
def reviews(request: HttpRequest) -> HttpResponse:
    """我的质检: the reviews of my work; those who see everyone's may pick one agent."""
    user = request.user
    queryset = services.visible_reviews(user)
    sees_all = user.has_perm(services.VIEW_ALL_PERMISSION)
    if not sees_all:
        _require(user, services.VIEW_OWN_PERMISSION)
    agent = _agent_filter(request) if sees_all else None
    if agent is not None:
        queryset = queryset.filter(agent_id=agent.pk)
    page = Paginator(queryset.for_list(), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "summary": services.summarize(queryset),
        "sees_all": sees_all,
        "agent": agent,
        "agents": _reviewed_agents() if sees_all else [],
        # customers' ratings of the same person (mine, or the agent picked), last 30 days
        "ratings": _ratings_of(agent if sees_all else user),
    }
    return render(request, "quality/reviews.html", context)


def _ratings_of(agent) -> SurveySummary | None:
    if agent is None:
        return None
    until = timezone.now()
    return survey_summary(until - timedelta(days=RATINGS_DAYS), until, agent=agent)


def _agent_filter(request: HttpRequest):
    wanted = request.GET.get("agent") or ""
    if not (wanted.isdecimal() and len(wanted) < 19):
        return None
    return get_user_model().objects.filter(pk=int(wanted), is_staff=True).first()


def _reviewed_agents() -> list:
    """The staff members who have at least one review, by name: the agent filter's options."""
    users = get_user_model().objects.filter(is_staff=True)
    return list(
        users.filter(quality_reviews_received__isnull=False).distinct().order_by("display_name", "username")
    )
