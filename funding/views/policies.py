"""经费标准: the policy list and detail, the policy form, loading the shipped policies, export.

Everyone with a role reads the policies of their county (a branch secretary
too: they are the rules its money follows); county staff over a policy's
issuing county write it. A policy of another county is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.models import Level, Organization
from orgs.selectors.committees import scope_names

from .. import access, services
from .. import excel_policies as excel
from .. import selectors as sel
from ..forms_filters import default_year
from ..forms_policies import PolicyFilterForm, PolicyForm, YearForm
from ..selectors_policies import policies_for_user, policy_audit_trail, policy_owners
from .common import page, query_without_page, reader


def _writer(request) -> list[Organization]:
    """County staff only; returns the counties they may write policies for."""
    reader(request)
    if not access.can_create_policies(request.user):
        raise PermissionDenied
    owners = policy_owners(request.user)
    if not owners:
        raise PermissionDenied
    return owners


# ---------------------------------------------------------------- list and export


@login_required
@require_GET
def policy_list(request):
    user = reader(request)
    form = PolicyFilterForm(request.GET)
    page_obj = page(request, policies_for_user(user=user, filters=form.values()))
    can_create = access.can_create_policies(user)
    return render(request, "funding/policies/list.html", {
        "form": form,
        "page_obj": page_obj,
        "policies": list(page_obj.object_list),
        "export_query": urlencode(form.params()),
        "querystring_without_page": query_without_page(request),
        "can_create": can_create,
        "owners": policy_owners(user) if can_create else [],
    })


@login_required
@require_GET
def policy_export(request):
    user = reader(request)
    form = PolicyFilterForm(request.GET)
    names = scope_names(user)
    scope = "、".join(names) if names else "全部"
    labels = form.labels()
    if labels:
        scope += "；筛选：" + "，".join(f"{k} {v}" for k, v in labels.items())
    return excel.policy_export(
        policies=policies_for_user(user=user, filters=form.values()), scope=scope
    )


# ---------------------------------------------------------------- detail


@login_required
@require_GET
def policy_detail(request, pk):
    user = reader(request)
    policy, can_manage = access.get_policy_for_user(request, pk)
    asked = YearForm(request.GET)
    asked.is_valid()
    year = asked.cleaned_data.get("year") or default_year()
    year_form = YearForm({"year": str(year)})  # the select shows the year counted
    filters = sel.MoneyFilters(year=year, policy_id=policy.pk)
    totals = sel.money_totals(sel.allocations_for_user(user=user, filters=filters))
    ledger_url = reverse("funding:ledger") + "?" + urlencode({"year": year, "policy": policy.pk})
    return render(request, "funding/policies/detail.html", {
        "policy": policy,
        "can_manage": can_manage,
        "categories": list(policy.categories.all()),
        "levels": [Level(lv).label for lv in policy.levels or [] if lv in Level.values],
        "year": year,
        "form": year_form,
        "year_errors": asked.errors.get("year", []),
        "totals": totals,
        "ledger_url": ledger_url,
        "audit_trail": policy_audit_trail(policy=policy),
    })


# ---------------------------------------------------------------- writing


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request):
    owners = _writer(request)
    form = PolicyForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        policy = form.save_policy(by=request.user)
        messages.success(request, _("Policy “%(name)s” was added.") % {"name": policy.name})
        return redirect("funding:policy_detail", policy.pk)
    return render(request, "funding/policies/form.html", {"form": form, "policy": None})


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk):
    reader(request)
    policy, can_manage = access.get_policy_for_user(request, pk)
    if not can_manage:
        raise PermissionDenied
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save_policy(by=request.user)
        messages.success(request, _("Policy “%(name)s” was saved.") % {"name": policy.name})
        return redirect("funding:policy_detail", policy.pk)
    return render(request, "funding/policies/form.html", {"form": form, "policy": policy})


@login_required
@require_POST
def policy_load(request):
    """Ship the seeds' policies to the county (chosen by `county` if the user staffs several)."""
    owners = _writer(request)
    chosen = request.POST.get("county", "")
    if not chosen and len(owners) == 1:
        county = owners[0]
    else:
        county = next((o for o in owners if str(o.pk) == chosen.strip()), None)
    if county is None:
        messages.error(request, _("Choose the county to load the policies into."))
        return redirect("funding:policy_list")
    try:
        result = services.load_policies(county=county, by=request.user)
    except ValueError as exc:
        messages.error(request, _("The shipped policies could not be loaded: %(error)s")
                       % {"error": exc})
        return redirect("funding:policy_list")
    messages.success(request, _(
        "Shipped policies loaded into %(county)s: %(created)s added, %(existing)s already there."
    ) % {"county": county.name, "created": result.created, "existing": result.existing})
    return redirect("funding:policy_list")
