"""Excel export and import of the organization tree.

The work is in orgs/excel.py (the file format), orgs/importing.py (checks and
writes) and partybuild/xlsx.py (the project's spreadsheet plumbing).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from exports.registry import exporter, request_for
from exports.services import respond
from partybuild.xlsx import (
    CellError,
    XlsxRejected,
    limit_uploads,
    open_xlsx_upload,
    too_large_error,
)

from ..excel import HEADERS, export_table, read_org_rows, scope_text
from ..forms import OrgListFilterForm
from ..importing import ImportRejected
from ..importing import org_import as import_rows
from ..models import MANAGING_ROLES, Organization
from ..scoping import get_org_for_user, has_role, scope_paths
from ..selectors import orgs_for_user

SHOWN_ERRORS = 300  # a page of 3,000 error rows helps nobody


@login_required
@require_GET
def org_export(request):
    """The user's scope (or `?root=` subtree), with the list page's filters; over
    EXPORT_SYNC_MAX_ROWS rows it is written in the background (the exports app)."""
    return respond(request, org_export_table)


@exporter
def org_export_table(user, params):
    request = request_for(user, params)
    root = None
    if params.get("root"):
        root, _access = get_org_for_user(request, params["root"])
    data = params.copy()
    data.setdefault("active", "all")  # the list shows active ones by default; a bare export all
    form = OrgListFilterForm(data, user=user)
    kwargs = form.selector_kwargs()
    kwargs.pop("order")
    orgs = orgs_for_user(user=user, **kwargs)
    if root is not None:
        orgs = orgs.filter(path__startswith=root.path)
        names = [root.name]
    else:
        paths = scope_paths(user)
        names = (
            None
            if paths is None
            else list(Organization.objects.filter(path__in=paths).values_list("name", flat=True))
        )
    return export_table(orgs=orgs, scope=scope_text(names=names, filters=form.filters()))


def _may_import(user):
    return has_role(user, *MANAGING_ROLES)


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_http_methods(["GET", "POST"])
def org_import(request):
    if not _may_import(request.user):
        raise PermissionDenied
    limiter = None
    if request.method == "POST":
        limiter = limit_uploads(request)
        try:
            request.POST  # noqa: B018 - parse now, so a broken body gets a message
        except MultiPartParserError:
            error = CellError(None, "", _("The upload could not be read. Choose the file again."))
            return _render(request, [error])
    return _org_import(request, limiter)


@csrf_protect
def _org_import(request, limiter):
    if request.method != "POST":
        return _render(request, [])
    try:
        if limiter.exceeded:
            raise too_large_error()
        workbook = open_xlsx_upload(request.FILES.get("file"))
        try:
            rows, cell_errors = read_org_rows(workbook)
        finally:
            workbook.close()
        summary = import_rows(rows=rows, by=request.user, cell_errors=cell_errors)
    except XlsxRejected as exc:
        return _render(request, [CellError(None, "", exc.message, "file")])
    except ImportRejected as exc:
        return _render(request, exc.errors)
    messages.success(
        request,
        _(
            "Import finished: %(created)s created, %(updated)s updated, "
            "%(moved)s moved, %(unchanged)s unchanged."
        )
        % vars(summary),
    )
    return redirect("orgs:tree")


def _render(request, errors):
    return render(
        request,
        "orgs/import.html",
        {
            "errors": errors[:SHOWN_ERRORS],
            "error_count": len(errors),
            "more_errors": max(len(errors) - SHOWN_ERRORS, 0),
            "headers": HEADERS.values(),
        },
    )
