"""The business-calendar pages of /manage/ (`accounts.manage_configuration`): every calendar with who uses it,
and one form for its weekly hours, China's public holidays and its own days off and 调休 working days."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core import clock
from kefu.core.errors import DomainError
from kefu.core.htmx import template_for
from kefu.sla import calendars
from kefu.sla.models import BusinessCalendar
from kefu.sla.services import calendar_rules

from .calendar_forms import MAX_DATE_ROWS, CalendarDateFormSet, CalendarForm, DayKind
from .views import MANAGE_CONFIGURATION, _form_error, requires

NAV = "calendars"
DATES_PREFIX = "dates"


@requires(MANAGE_CONFIGURATION)
def calendar_list(request: HttpRequest) -> HttpResponse:
    """Every calendar with its time zone and who uses it: five queries whatever the number of calendars."""
    rows = list(BusinessCalendar.objects.all())
    usage = calendars.usage_of(c.pk for c in rows)
    return render(
        request,
        "administration/calendars.html",
        {"rows": [(c, usage[c.pk]) for c in rows], "nav": NAV},
    )


@requires(MANAGE_CONFIGURATION)
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar.objects.prefetch_related("dates"), pk=pk) if pk else None
    if request.method == "POST" and "add_day" in request.POST:
        # One more empty custom-day row, nothing saved: the table alone for htmx, the whole form without it.
        dates = CalendarDateFormSet(_with_one_more_row(request.POST), prefix=DATES_PREFIX)
        page = template_for(request, "administration/calendar_form.html", "dates")
        return _render_form(
            request,
            CalendarForm(initial=CalendarForm.initial_from(request.POST)),
            dates,
            calendar,
            template=page,
        )
    if request.method == "POST":
        form = CalendarForm(request.POST)
        dates = CalendarDateFormSet(request.POST, prefix=DATES_PREFIX)
        if form.is_valid() and dates.is_valid():
            try:
                saved = calendars.save_calendar(
                    actor=request.user, values=form.service_values(), dates=dates.entries(), calendar=calendar
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": saved})
                return HttpResponseRedirect(reverse("administration:calendars"))
        return _render_form(request, form, dates, calendar, status=400)
    if calendar is None:
        form = CalendarForm()
        dates = CalendarDateFormSet(prefix=DATES_PREFIX)
    else:
        form = CalendarForm(initial=CalendarForm.initial_for(calendar))
        dates = CalendarDateFormSet(prefix=DATES_PREFIX, initial=CalendarDateFormSet.initial_for(calendar))
    return _render_form(request, form, dates, calendar)


def _with_one_more_row(data: QueryDict) -> QueryDict:
    """The posted form with room for one more custom day (as an unchanged, empty row)."""
    data = data.copy()
    try:
        total = min(max(int(data.get(f"{DATES_PREFIX}-TOTAL_FORMS", "0")), 0), MAX_DATE_ROWS - 1)
    except ValueError:
        total = 0
    data[f"{DATES_PREFIX}-TOTAL_FORMS"] = str(total + 1)
    data[f"{DATES_PREFIX}-{total}-kind"] = (
        DayKind.OFF
    )  # the field's initial value: the row counts as untouched
    return data


def _render_form(
    request,
    form,
    dates,
    calendar: BusinessCalendar | None,
    status: int = 200,
    template: str = "administration/calendar_form.html",
) -> HttpResponse:
    context = {"form": form, "dates": dates, "calendar": calendar, "nav": NAV}
    if calendar is not None:
        # What the stored calendar says now (not the unsaved form), in its own time zone.
        try:
            context["opening"] = calendars.opening(calendar_rules(calendar), clock.now())
        except (ValueError, TypeError, AttributeError, KeyError):
            context["opening"] = (
                None  # hours stored malformed (outside this form): the form shows them to fix
            )
        context["usage"] = calendars.usage_of([calendar.pk])[calendar.pk]
        context["time_zone"] = calendar.time_zone
    return render(request, template, context, status=status)


@requires(MANAGE_CONFIGURATION)
@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    name = str(calendar)
    try:
        calendars.delete_calendar(actor=request.user, calendar=calendar)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("administration:calendar_edit", args=[pk]))
    messages.success(request, _("%(name)s was deleted.") % {"name": name})
    return HttpResponseRedirect(reverse("administration:calendars"))
