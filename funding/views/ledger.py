"""经费台账: every allocation of the scope for a year, its export, and planning the year.

Everyone with a role reads the ledger of their scope (a committee its towns, a
secretary its own branch); the selectors scope every row. Planning the year is
the managing roles' action, for an organization they manage, and a rerun never
touches an allocation that already exists.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exports.registry import exporter, request_for
from exports.services import respond
from orgs.selectors.committees import COMMITTEE_DEPTH, committee_names, committee_of

from .. import access, excel, services
from .. import selectors as sel
from ..forms_generate import GenerateForm, LedgerOptionsForm
from .common import filter_form, page, query_without_page, reader, scope_text


def _ledger_rows(request):
    """(user, filter form, options form, filters, the filtered allocations)."""
    user = reader(request)
    form = filter_form(request)
    options = LedgerOptionsForm(request.GET)
    f = form.filters()
    qs = sel.allocations_for_user(user=user, filters=f, order=options.order)
    if options.basis_missing:
        qs = qs.filter(promised_min__isnull=True)
    return user, form, options, f, qs


def _query(form, options) -> str:
    return urlencode({**form.params(), **options.params()})


@login_required
@require_GET
def ledger(request):
    user, form, options, f, qs = _ledger_rows(request)
    # Queries past the filter form's three: the totals of every filtered row, the
    # count and the page (allocations with organization, category and policy), the
    # committee names.
    totals = sel.money_totals(qs)
    page_obj = page(request, qs)
    rows = list(page_obj.object_list)
    names = committee_names() if rows else {}
    for row in rows:
        row.committee_name = committee_of(row.organization.path, names)
    can_manage = access.can_manage_any_money(user)
    return render(request, "funding/ledger.html", {
        "tab": "ledger",
        "form": form,
        "filter_fields": [*form, *options],
        "year": f.year,
        "rows": rows,
        "page_obj": page_obj,
        "totals": totals,
        "basis_missing": options.basis_missing,
        "export_query": _query(form, options),
        "querystring_without_page": query_without_page(request),
        "can_manage": can_manage,
    })


@login_required
@require_GET
def ledger_export(request):
    return respond(request, ledger_export_table)


@exporter
def ledger_export_table(user, params):
    request = request_for(user, params)
    _user, form, options, f, qs = _ledger_rows(request)
    return excel.ledger_export(queryset=qs, year=f.year, scope=scope_text(request, form))


def _ledger_url(year, root) -> str:
    params = {"year": year}
    if root.depth == COMMITTEE_DEPTH:
        params["committee"] = root.pk
    return f"{reverse('funding:ledger')}?{urlencode(params)}"


@login_required
@require_http_methods(["GET", "POST"])
def generate(request):
    """Plan a year for a subtree from the policies in force (services.generate_allocations)."""
    user = request.user
    if not access.can_manage_any_money(user):
        raise PermissionDenied
    form = GenerateForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        root, year = form.cleaned_data["root"], form.cleaned_data["year"]
        result = services.generate_allocations(root=root, year=year, by=user)
        if result.policies == 0:
            messages.warning(request, _(
                "No funding policy is in force for %(year)s over %(root)s: load or add the "
                "policies first."
            ) % {"year": year, "root": root.name})
        else:
            messages.success(request, _(
                "%(year)s planned for %(root)s: %(created)s allocations created, %(existing)s "
                "already planned (left as they were), for %(organizations)s organizations under "
                "%(policies)s policies."
            ) % {
                "year": year, "root": root.name, "created": result.created,
                "existing": result.existing, "organizations": result.organizations,
                "policies": result.policies,
            })
        return redirect(_ledger_url(year, root))
    return render(request, "funding/generate.html", {"form": form, "tab": "ledger"})
