"""One organization's money and one allocation: the year's table with its payments and
export, an allocation added by hand, changing the plan, recording and deleting a payment.

Every object is reached through orgs.scoping / funding.access (404 outside the scope);
changing needs access.can_manage_money over the organization (403 otherwise), so a
branch secretary reads their own branch's money and changes nothing. Writes go
through funding.services and its refusals show on the form, nothing saved.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.models import Organization
from orgs.scoping import get_org_for_user

from .. import access, selectors, services
from ..excel_allocations import org_funding_export as export_xlsx
from ..forms_allocations import (
    QUANTITY_HELP,
    AllocationCreateForm,
    AllocationEditForm,
    DisbursementDeleteForm,
    DisbursementForm,
    add_service_errors,
    unit_of,
)
from ..models import ZERO, Allocation, Disbursement, FundingPolicy

# A year outside these is a typo, not a plan.
MIN_YEAR, MAX_YEAR = 2000, 2100
TOTALS = ("promised_min", "planned", "paid", "pay_gap", "plan_gap")
HISTORY_FIELDS = ("quantity", "promised_min", "promised_max", "planned", "note")


def _year(request) -> tuple[int, bool]:
    """The `year` parameter, or this year; False when the parameter was not a year."""
    this_year = timezone.localdate().year
    raw = request.GET.get("year", "").strip()
    if not raw:
        return this_year, True
    try:
        year = int(raw)
    except ValueError:
        return this_year, False
    if not MIN_YEAR <= year <= MAX_YEAR:
        return this_year, False
    return year, True


def _year_or_warning(request) -> int:
    year, ok = _year(request)
    if not ok:
        messages.warning(request, _("That is not a year; showing %(year)s.") % {"year": year})
    return year


def _org(request, pk):
    org, _access = get_org_for_user(
        request, pk, queryset=Organization.objects.select_related("category")
    )
    return org


def _with_units(allocations):
    for a in allocations:
        a.unit = unit_of(a.policy.basis)
    return allocations


def _org_allocations(request, org, year):
    """The org's allocations for the year with `paid` and the gaps: one query."""
    return list(selectors.allocations_for_user(
        user=request.user, filters=selectors.MoneyFilters(year=year, organization=org),
        order=("policy__kind", "policy__code"),
    ))


def _sum(allocations) -> dict:
    """The totals row, added up from the rows shown (so it matches them to the fen)."""
    totals = dict.fromkeys(TOTALS, ZERO)
    for a in allocations:
        for name in TOTALS:
            totals[name] += getattr(a, name) or ZERO
    return totals


# ---------------------------------------------------------------- one organization


@login_required
@require_GET
def org_funding(request, pk):
    org = _org(request, pk)
    year = _year_or_warning(request)
    years = selectors.organization_years(org)
    allocations = _with_units(_org_allocations(request, org, year))
    payments = defaultdict(list)
    for payment in selectors.disbursements_for_user(
        user=request.user, filters=selectors.MoneyFilters(year=year, organization=org)
    ):
        payments[payment.allocation_id].append(payment)
    for a in allocations:
        a.payments = payments.get(a.pk, [])
    return render(request, "funding/allocations/org_funding.html", {
        "org": org,
        "year": year,
        "years": sorted({*years, timezone.localdate().year, year}, reverse=True),
        "allocations": allocations,
        "totals": _sum(allocations),
        "can_manage": access.can_manage_money(request.user, org),
    })


@login_required
@require_GET
def org_funding_export(request, pk):
    org = _org(request, pk)
    year, ok = _year(request)
    if not ok:
        raise Http404("No such year")
    return export_xlsx(org=org, year=year, allocations=_org_allocations(request, org, year))


def _addable_policies(org, year):
    """Policies in force in the year, issued at or above the organization, that cover it
    and that it has no allocation under yet: three queries."""
    facts = services.facts_of(org, services.parent_category_id(org))
    policies = services.policies_over(org).in_force(year).prefetch_related("categories")
    taken = set(
        Allocation.objects.filter(organization=org, year=year).values_list("policy_id", flat=True)
    )
    keep = [p.pk for p in policies if p.pk not in taken and services.fits(p, facts, year)]
    return FundingPolicy.objects.filter(pk__in=keep).order_by("applies_when", "kind", "code")


@login_required
@require_http_methods(["GET", "POST"])
def allocation_create(request, pk):
    """经费安排 added by hand: a policy granted on application (场所建设补贴), or one the
    generation could not know of. The year comes from the page's year picker."""
    org = _org(request, pk)
    if not access.can_manage_money(request.user, org):
        raise PermissionDenied
    if not org.is_active:
        messages.error(request, _("An inactive organization gets no new allocation."))
        return redirect("funding:org_funding", pk=org.pk)
    year = _year_or_warning(request)
    form = AllocationCreateForm(
        request.POST if request.method == "POST" else None,
        policies=_addable_policies(org, year), year=year,
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                allocation = services.allocation_create(
                    organization=org, policy=data["policy"], year=year, by=request.user,
                    quantity=data["quantity"], planned=data["planned"], note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The allocation was added."))
                return redirect("funding:allocation_detail", pk=allocation.pk)
        messages.error(request, _("The allocation was not added: correct what is marked below."))
    this_year = timezone.localdate().year
    return render(request, "funding/allocations/allocation_form.html", {
        "org": org,
        "year": year,
        "years": list(range(this_year + 1, this_year - 5, -1)),
        "form": form,
        "has_policies": form.fields["policy"].queryset.exists(),
    }, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- one allocation


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _history(allocation):
    """The allocation's history, newest first, each row with the fields it changed: one query."""
    rows = list(allocation.history.select_related("history_user").order_by("history_date", "pk"))
    before = None
    for row in rows:
        row.changed = [
            (Allocation._meta.get_field(name).verbose_name, _text(getattr(row, name)))
            for name in HISTORY_FIELDS
            if before is None or getattr(before, name) != getattr(row, name)
        ]
        before = row
    return rows[::-1]


def _deleted_payments(allocation):
    """Payments deleted as mistakes, with who deleted them and why: one query."""
    return list(
        Disbursement.history.filter(allocation_id=allocation.pk, history_type="-")
        .select_related("history_user").order_by("-history_date")
    )


def _render_allocation(request, allocation, can_manage, *, pay_form=None, edit_form=None,
                       status=200):
    payments = list(allocation.disbursements.select_related("recorded_by"))
    paid = sum((p.amount for p in payments), ZERO)
    minimum = allocation.promised_min
    allocation.unit = unit_of(allocation.policy.basis)
    return render(request, "funding/allocations/allocation_detail.html", {
        "allocation": allocation,
        "org": allocation.organization,
        "policy": allocation.policy,
        "payments": payments,
        "paid": paid,
        "shortfall": max(minimum - paid, ZERO) if minimum is not None else ZERO,
        "plan_gap": max(minimum - allocation.planned, ZERO) if minimum is not None else ZERO,
        "quantity_help": QUANTITY_HELP.get(allocation.policy.basis, ""),
        "history": _history(allocation),
        "deleted": _deleted_payments(allocation),
        "can_manage": can_manage,
        "pay_form": (pay_form or DisbursementForm(allocation=allocation)) if can_manage else None,
        "edit_form": (
            edit_form or AllocationEditForm(
                allocation=allocation, initial=AllocationEditForm.initial_for(allocation))
        ) if can_manage else None,
        "delete_form": DisbursementDeleteForm() if can_manage else None,
    }, status=status)


@login_required
@require_GET
def allocation_detail(request, pk):
    allocation, acc = access.get_allocation_for_user(request, pk)
    return _render_allocation(request, allocation, acc.can_manage)


def _managed_allocation(request, pk):
    allocation, acc = access.get_allocation_for_user(request, pk)
    if not acc.can_manage:
        raise PermissionDenied
    return allocation


@login_required
@require_http_methods(["GET", "POST"])
def allocation_edit(request, pk):
    allocation = _managed_allocation(request, pk)
    if request.method == "GET":
        form = AllocationEditForm(
            allocation=allocation, initial=AllocationEditForm.initial_for(allocation)
        )
    else:
        form = AllocationEditForm(request.POST, allocation=allocation)
        if form.is_valid():
            data = form.cleaned_data
            unchanged = (data["quantity"], data["planned"], data["note"]) == (
                allocation.quantity, allocation.planned, allocation.note
            )
            if unchanged:
                messages.info(request, _("Nothing changed."))
                return redirect("funding:allocation_detail", pk=allocation.pk)
            try:
                services.allocation_update(
                    allocation=allocation, by=request.user, quantity=data["quantity"],
                    planned=data["planned"], note=data["note"], reason=data["reason"],
                )
            except ValidationError as error:
                allocation.refresh_from_db()  # the service changed it before refusing
                add_service_errors(form, error)
            else:
                messages.success(request, _("The allocation was saved."))
                return redirect("funding:allocation_detail", pk=allocation.pk)
        messages.error(request, _("The allocation was not saved: correct what is marked below."))
    allocation.unit = unit_of(allocation.policy.basis)
    return render(request, "funding/allocations/allocation_edit.html", {
        "allocation": allocation, "org": allocation.organization, "form": form,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def disbursement_create(request, pk):
    allocation = _managed_allocation(request, pk)
    form = DisbursementForm(
        request.POST if request.method == "POST" else None, allocation=allocation
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.disbursement_record(
                    allocation=allocation, by=request.user, paid_on=data["paid_on"],
                    amount=data["amount"], voucher_no=data["voucher_no"], note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The payment of %(amount)s yuan was recorded.") % {
                    "amount": f"{data['amount']:,.2f}"
                })
                return redirect("funding:allocation_detail", pk=allocation.pk)
        messages.error(request, _("The payment was not recorded: correct what is marked below."))
    return render(request, "funding/allocations/disbursement_form.html", {
        "allocation": allocation, "org": allocation.organization, "form": form,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def disbursement_delete(request, pk):
    payment, can_manage = access.get_disbursement_for_user(request, pk)
    if not can_manage:
        raise PermissionDenied
    back = redirect("funding:allocation_detail", pk=payment.allocation_id)
    form = DisbursementDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The payment was not deleted: say why it is deleted."))
        return back
    services.disbursement_delete(payment=payment, by=request.user,
                                 reason=form.cleaned_data["reason"])
    messages.success(request, _("Payment %(voucher)s was deleted; the history keeps it.") % {
        "voucher": payment.voucher_no
    })
    return back
