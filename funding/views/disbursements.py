"""Payments (经费拨付): the list of a scope's payments for a year, its export, and the
Excel import with its template.

The list and the export take the shared money filters (views/common.py) plus a
voucher number search. The export's headers are the import's (funding/importing.py
HEADERS), so an exported file can be corrected and imported back. Importing is
for staff who manage money; the importer itself refuses rows outside the
subtrees they manage.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from exports.registry import exporter, request_for
from exports.services import respond
from orgs.models import MANAGING_ROLES
from orgs.scoping import scope_q
from partybuild.xlsx import CellError, limit_uploads, too_large_error

from .. import access
from .. import excel_disbursements as excel
from .. import selectors as sel
from ..forms_filters import default_year, year_choices
from ..forms_import import DisbursementImportForm, VoucherSearchForm
from ..importing import HEADERS, MAX_ROWS, REQUIRED, import_disbursements
from ..models import ZERO, Allocation
from ..selectors import MONEY_FIELD
from ..services import yuan
from .common import filter_form, page, query_without_page, reader, scope_text

SHOWN_ERRORS = 300  # a page of 5,000 error rows helps nobody
# The shared bar's fields a payment list has no use for: the shortfall is an allocation's.
UNUSED_FILTERS = ("short",)
EXAMPLE = ("A1", "village-operating")  # the template's example when the user has no allocation


def _payments(request, form, voucher: str):
    payments = sel.disbursements_for_user(user=request.user, filters=form.filters())
    if voucher:
        payments = payments.filter(voucher_no__icontains=voucher)
    return payments


def _totals(payments) -> dict:
    """Count and sum of every filtered payment, not only the page's: one query. Rounded
    to the fen, as SQLite sums decimals as floats."""
    totals = payments.order_by().aggregate(
        n=Count("pk"), amount=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY_FIELD)
    )
    totals["amount"] = yuan(totals["amount"])
    return totals


@login_required
@require_GET
def disbursement_list(request):
    user = reader(request)
    form = filter_form(request)
    search = VoucherSearchForm(request.GET)
    voucher = search.searched()
    payments = _payments(request, form, voucher)
    page_obj = page(request, payments)
    year = form.filters().year
    # The export names the year shown, even if the page was opened on New Year's Eve.
    params = {"year": str(year), **form.params(without=(*UNUSED_FILTERS, "year"))}
    if voucher:
        params["voucher"] = voucher
    return render(request, "funding/disbursements/list.html", {
        "form": form,
        "filter_fields": [f for f in form if f.name not in UNUSED_FILTERS] + [search["voucher"]],
        "tab": "payments",
        "year": year,
        "page_obj": page_obj,
        "payments": list(page_obj.object_list),
        "totals": _totals(payments),
        "export_query": urlencode(params),
        "querystring_without_page": query_without_page(request),
        "can_import": access.can_manage_any_money(user),
    })


@login_required
@require_GET
def disbursement_export(request):
    return respond(request, disbursement_export_table)


@exporter
def disbursement_export_table(user, params):
    """The list's rows, all of them, and a 合计 row. Queries: the filter form's three,
    the count, the rows (one, iterated)."""
    request = request_for(user, params)
    reader(request)
    form = filter_form(request)
    voucher = VoucherSearchForm(request.GET).searched()
    scope = scope_text(request, form)
    if voucher:
        scope += f"，凭证号 “{voucher}”"
    return excel.disbursement_export(queryset=_payments(request, form, voucher), scope=scope)


def _check_importer(request):
    reader(request)
    if not access.can_manage_any_money(request.user):
        raise PermissionDenied


@login_required
@require_GET
def import_template(request):
    """The importer's empty file; its example names one of the allocations the user
    manages in the year, if any (one query)."""
    _check_importer(request)
    year = request.GET.get("year", "")
    year = int(year) if year in dict(year_choices()) else default_year()
    example = (
        Allocation.objects.filter(year=year)
        .filter(scope_q(request.user, "organization__", roles=MANAGING_ROLES))
        .order_by("organization__path", "policy__kind", "policy__code")
        .values_list("organization__code", "policy__code").first()
    ) or EXAMPLE
    return excel.import_template(year=year, org_code=example[0], policy_code=example[1])


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_http_methods(["GET", "POST"])
def disbursement_import(request):
    _check_importer(request)
    limiter = None
    if request.method == "POST":
        limiter = limit_uploads(request)  # before anything reads POST or FILES
        try:
            request.POST  # noqa: B018 - parse now, so a broken body gets a message
        except MultiPartParserError:
            error = CellError(None, "", _("The upload could not be read. Choose the file again."))
            return _render(request, DisbursementImportForm(), [error])
    return _import(request, limiter)


@csrf_protect
def _import(request, limiter):
    if request.method != "POST":
        year = request.GET.get("year", "")  # the list's year, when it links here
        initial = {"year": year} if year in dict(year_choices()) else {}
        return _render(request, DisbursementImportForm(initial=initial), [])
    form = DisbursementImportForm(request.POST)
    if not form.is_valid():
        return _render(request, form, [])
    if limiter.exceeded:
        return _render(request, form, [CellError(None, "", too_large_error().message, "file")])
    year = form.cleaned_data["year"]
    result = import_disbursements(
        workbook_file=request.FILES.get("file"), year=year, user=request.user
    )
    if not result.ok:
        return _render(request, form, result.errors)
    messages.success(
        request,
        _("Imported %(count)s payments for %(year)s, %(total)s yuan in all.")
        % {"count": result.created, "year": year, "total": f"{result.total:,.2f}"},
    )
    return redirect(f"{reverse('funding:disbursement_list')}?{urlencode({'year': year})}")


def _render(request, form, errors):
    return render(request, "funding/disbursements/import.html", {
        "form": form,
        "tab": "payments",
        "errors": errors[:SHOWN_ERRORS],
        "error_count": len(errors),
        "more_errors": max(len(errors) - SHOWN_ERRORS, 0),
        "headers": [f"{h}*" if f in REQUIRED else h for f, h in HEADERS.items()],
        "max_rows": MAX_ROWS,
    })
