"""Customers: the searchable list, a customer's page, creating one, editing notes, revealing PII."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import InvalidInput, NotFound
from kefu.customers.access import can_see_pii, shown_id_number, shown_identity
from kefu.customers.models import Customer, IdentityKind
from kefu.customers.services import create_customer, find_customer, reveal_pii, update_customer
from kefu.tickets.access import visible_tickets

from ..forms import CustomerCreateForm, CustomerEditForm, CustomerSearchForm, split_tags
from ..ticket_reads import identities_of
from .common import staff_required, wants_partial

PAGE_SIZE = 50
_PHONE_CHARS = set("0123456789+-() ")


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def load_customer(pk: int) -> Customer:
    customer = (
        Customer.objects.select_related("organization").prefetch_related("identities").filter(pk=pk).first()
    )
    if customer is None:
        raise NotFound(_("This customer does not exist."))
    return customer


def identity_context(user, customer: Customer, *, revealed: bool) -> dict:
    """The customer's identities as this user may see them: masked unless revealed (audited) by a permitted user."""
    revealed = revealed and can_see_pii(user)
    identities = [
        {
            "kind": identity.kind,
            "label": identity.get_kind_display(),
            "value": shown_identity(user, identity.kind, identity.value, revealed=revealed),
        }
        for identity in identities_of(customer)
    ]
    return {
        "identities": identities,
        "id_number_shown": shown_id_number(user, customer.id_number, revealed=revealed),
        "revealed": revealed,
        "can_reveal": can_see_pii(user),
    }


def _search(query: str):
    """An e-mail or phone number finds its owner exactly; anything else searches names."""
    if "@" in query:
        found = find_customer(kind=IdentityKind.EMAIL, value=query)
        return Customer.objects.filter(pk=found.pk) if found else Customer.objects.none()
    if set(query) <= _PHONE_CHARS and sum(c.isdigit() for c in query) >= 5:
        found = find_customer(kind=IdentityKind.PHONE, value=query)
        return Customer.objects.filter(pk=found.pk) if found else Customer.objects.none()
    return Customer.objects.filter(name__icontains=query)


@require_GET
@staff_required
def customer_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, "customers.view_customer")
    form = CustomerSearchForm(request.GET)
    status, error = 200, ""
    customers: list[Customer] = []
    page, has_next = 1, False
    if form.is_valid():
        query = form.cleaned_data["q"]
        page = form.cleaned_data["page"] or 1
        qs = _search(query) if query else Customer.objects.all()
        start = (page - 1) * PAGE_SIZE
        rows = list(
            qs.select_related("organization")
            .prefetch_related("identities")
            .order_by("-created_at", "-id")[start : start + PAGE_SIZE + 1]
        )
        customers, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    else:
        status = 400
        error = "; ".join(" ".join(errors) for errors in form.errors.values())
    rows = [{"customer": c, **identity_context(request.user, c, revealed=False)} for c in customers]
    context = {"form": form, "rows": rows, "page": page, "has_next": has_next, "error": error}
    template = (
        "workspace/customers.html#results"
        if wants_partial(request) and status == 200
        else ("workspace/customers.html")
    )
    return render(request, template, context, status=status)


@require_GET
@staff_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "customers.view_customer")
    customer = load_customer(pk)
    return render(request, "workspace/customer.html", _detail_context(request, customer))


def _detail_context(request: HttpRequest, customer: Customer, *, revealed: bool = False, form=None) -> dict:
    tickets = list(
        visible_tickets(request.user)
        .filter(customer_id=customer.pk)
        .select_related("priority", "category", "assignee", "team")
        .order_by("-created_at")[:50]
    )
    if form is None:
        form = CustomerEditForm(
            initial={
                "name": customer.name,
                "tier": customer.tier,
                "language": customer.language,
                "tags": ", ".join(customer.tags or []),
                "notes": customer.notes,
            }
        )
    return {
        "customer": customer,
        "tickets": tickets,
        "form": form,
        "can_edit": request.user.has_perm("customers.change_customer"),
        **identity_context(request.user, customer, revealed=revealed),
    }


@require_POST
@staff_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Update the profile and notes (audited by the service)."""
    _require(request.user, "customers.change_customer")
    customer = load_customer(pk)
    form = CustomerEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            update_customer(
                customer=customer,
                actor=request.user,
                name=data["name"],
                tier=data["tier"],
                language=data["language"],
                tags=split_tags(data["tags"]),
                notes=data["notes"],
            )
        except InvalidInput as error:
            _attach_error(form, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("workspace:customer", pk=customer.pk)
    customer = load_customer(pk)  # the failed attempt may have set attributes on the instance
    return render(
        request, "workspace/customer.html", _detail_context(request, customer, form=form), status=400
    )


def _attach_error(form, error: InvalidInput) -> None:
    """A service's refusal shown next to the field it names (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@require_POST
@staff_required
def customer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full contact data to a permitted user; the service records the look in the audit log."""
    customer = load_customer(pk)
    reveal_pii(customer=customer, actor=request.user)
    if wants_partial(request):
        context = {"customer": customer, **identity_context(request.user, customer, revealed=True)}
        return render(request, "workspace/_identities.html", context)
    return render(request, "workspace/customer.html", _detail_context(request, customer, revealed=True))


@require_http_methods(["GET", "POST"])
@staff_required
def customer_new(request: HttpRequest) -> HttpResponse:
    _require(request.user, "customers.add_customer")
    form = CustomerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = create_customer(
                actor=request.user,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                tier=data["tier"],
                language=data["language"],
                organization=data["organization"],
                notes=data["notes"],
            )
        except InvalidInput as error:
            _attach_error(form, error)
        else:
            messages.success(request, _("Customer created."))
            return redirect("workspace:customer", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "workspace/customer_form.html", {"form": form}, status=status)
