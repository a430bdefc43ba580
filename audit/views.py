"""The audit log: county staff (and superusers) read who changed what in their county."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exports.registry import exporter, request_for
from exports.services import respond
from orgs.scoping import is_county_staff
from orgs.selectors.committees import scope_names

from . import excel
from .forms import AuditFilterForm
from .selectors import entries, with_changes

PAGE_SIZE = 50


def _reader(request):
    """County staff and superusers; everyone else is refused (a 403: the page exists)."""
    if not is_county_staff(request.user):
        raise PermissionDenied
    return request.user


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
@require_GET
def audit_log(request):
    """Queries: the user's roles, the filters' look-ups (user, organization) when given,
    the count and the page (one UNION each), then per model on the page two, and the names
    of the people and organizations in the changes (two)."""
    user = _reader(request)
    form = AuditFilterForm(request.GET or None, user=user)
    page_obj = Paginator(entries(user=user, filters=form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    export_query = _query_without_page(request).rstrip("&")
    return render(request, "audit/log.html", {
        "form": form,
        "page_obj": page_obj,
        "rows": with_changes(list(page_obj.object_list)),
        "querystring_without_page": _query_without_page(request),
        "export_query": export_query,
    })


@login_required
@require_GET
def audit_export(request):
    return respond(request, audit_export_table)


@exporter
def audit_export_table(user, params):
    """Every entry the filters allow, one row per changed field."""
    request = request_for(user, params)
    _reader(request)
    form = AuditFilterForm(params or None, user=user)
    queryset = entries(user=user, filters=form.filters())
    names = scope_names(user)
    scope = "、".join(names) if names else "全部"
    labels = form.labels()
    if labels:
        scope += "；筛选：" + "，".join(labels)
    return excel.audit_table(queryset=queryset, scope=scope)
