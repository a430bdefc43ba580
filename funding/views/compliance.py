"""达标情况: what each policy promises against what was planned and paid.

Three tables over the same filtered allocations: a roll-up per committee, one per
category, and every allocation below its policy minimum. The roll-ups always take
the whole picture (the shortfall filter chooses only what the list counts as
short: paid below the minimum by default, or planned below it). Allocations whose
minimum is unknown (payroll or heads not entered) cannot be checked: the page
counts them and links to them in the ledger.
"""

from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orgs.selectors.committees import COMMITTEE_PREFIX

from .. import excel
from .. import selectors as sel
from ..forms_generate import BASIS_MISSING
from .common import filter_form, page, query_without_page, reader, scope_text

PARTS = ("committees", "categories", "short")
DEFAULT_PART = "short"
GAP_FIELDS = {sel.SHORT_PAID: "pay_gap", sel.SHORT_PLANNED: "plan_gap"}


def _form(request):
    """The shared filters; on this page "short" is paid (default) or planned, never all."""
    form = filter_form(request)
    field = form.fields["short"]
    field.choices = [(value, label) for value, label in field.choices if value]
    return form


def _filters(form):
    """(the filters of the roll-ups, those of the short list, the shortfall mode)."""
    f = form.filters()
    mode = f.short if f.short in GAP_FIELDS else sel.SHORT_PAID
    return replace(f, short=""), replace(f, short=mode), mode


def _short_queryset(user, filters, mode):
    gap = GAP_FIELDS[mode]
    return sel.allocations_for_user(
        user=user, filters=filters,
        order=(f"-{gap}", "organization__path", "policy__kind", "policy__code", "pk"),
    )


def _percent(paid, minimum):
    ratio = excel.rate(paid, minimum)
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"))


def _link(url, params, **extra) -> str:
    return f"{url}?{urlencode({**params, **extra})}"


@login_required
@require_GET
def report(request):
    user = reader(request)
    form = _form(request)
    whole, short, mode = _filters(form)
    url = reverse("funding:compliance")
    carried = form.params(without=("committee", "category"))
    # Queries past the filter form's three: the committee roll-up and the committee
    # names; the category roll-up; the allocations without a minimum (a count); the
    # short list's totals, count and page.
    committees = sel.rollup_by_committee(user=user, filters=whole)
    committee_pks = {org.path: org.pk for org in form.committees.values()}
    for row in committees:
        row["rate"] = _percent(row["paid"], row["promised_min"])
        pk = committee_pks.get(row["committee_path"])
        row["url"] = _link(url, carried, committee=pk) if pk else ""
        row["label"] = row["name"] or row["committee_path"]
    categories = sel.rollup_by_category(user=user, filters=whole)
    for row in categories:
        row["rate"] = _percent(row["paid"], row["promised_min"])
        row["url"] = _link(url, carried, category=row["organization__category_id"] or sel.NO_CATEGORY)
        row["label"] = row["organization__category__name"] or _("No category")
    missing = (
        sel.allocations_for_user(user=user, filters=whole, order=())
        .filter(promised_min__isnull=True).count()
    )
    short_qs = _short_queryset(user, short, mode)
    short_totals = sel.money_totals(short_qs)
    page_obj = page(request, short_qs)
    rows = list(page_obj.object_list)
    # The short rows' committees are among the roll-up's: no query for their names.
    names = {row["committee_path"]: row["name"] for row in committees}
    for row in rows:
        row.committee_name = names.get(row.organization.path[:COMMITTEE_PREFIX], "")
        row.gap = getattr(row, GAP_FIELDS[mode])
    sections = [
        {"key": "committee", "title": _("By committee"), "first": _("Party (work) committee"),
         "rows": committees, "total": _with_rate(excel.rollup_totals(committees))},
        {"key": "category", "title": _("By category"), "first": _("Category"),
         "rows": categories, "total": _with_rate(excel.rollup_totals(categories))},
    ]
    return render(request, "funding/compliance.html", {
        "tab": "compliance",
        "form": form,
        "year": whole.year,
        "sections": sections,
        "missing": missing,
        "missing_url": _link(reverse("funding:ledger"), form.params(without=("short",)),
                             basis=BASIS_MISSING),
        "mode": mode,
        "rows": rows,
        "page_obj": page_obj,
        "short_totals": short_totals,
        "short_gap": short_totals[GAP_FIELDS[mode]],
        "export_query": urlencode(form.params()),
        "querystring_without_page": query_without_page(request),
    })


def _with_rate(totals):
    totals["rate"] = _percent(totals["paid"], totals["promised_min"])
    return totals


@login_required
@require_GET
def report_export(request):
    """?part=committees, categories or short (the default): one sheet each."""
    user = reader(request)
    part = request.GET.get("part") or DEFAULT_PART
    if part not in PARTS:
        return HttpResponseBadRequest(
            _("Unknown part; use committees, categories or short."),
            content_type="text/plain; charset=utf-8",
        )
    form = _form(request)
    whole, short, mode = _filters(form)
    scope = scope_text(request, form)
    if part == "committees":
        rows = sel.rollup_by_committee(user=user, filters=whole)
        return excel.committee_rollup_export(rows=rows, year=whole.year, scope=scope)
    if part == "categories":
        rows = sel.rollup_by_category(user=user, filters=whole)
        return excel.category_rollup_export(rows=rows, year=whole.year, scope=scope)
    return excel.short_export(
        queryset=_short_queryset(user, short, mode), gap_field=GAP_FIELDS[mode], year=whole.year,
        scope=scope,
    )
