"""Escalating a ticket from its page: one click and a reason; the service picks the next level."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from kefu.sla.services import escalate_ticket
from kefu.sla.texts import level_label

from ..forms import raise_for
from .common import staff_required, wants_partial
from .ticket import load_ticket


class EscalateForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255, strip=True)
    # Supervisors may name who takes it; otherwise routing hands it to the next level's people.
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Hand to"),
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True),
        required=False,
    )


@require_POST
@staff_required
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    """`POST /agent/tickets/<pk>/escalate/` with `reason` (and, for supervisors, `assignee`): up one level."""
    ticket = load_ticket(request, pk)
    form = EscalateForm(request.POST)
    raise_for(form)
    escalation = escalate_ticket(
        ticket=ticket,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        assignee=form.cleaned_data["assignee"],
    )
    messages.success(
        request, _("The ticket is escalated to %(level)s.") % {"level": level_label(escalation.to_level)}
    )
    if wants_partial(request):
        return HttpResponseClientRedirect(reverse("workspace:ticket", args=[ticket.pk]))
    return redirect("workspace:ticket", pk=ticket.pk)
