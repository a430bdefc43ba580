"""Import of past meetings from Excel, with its empty template.

For those who log meetings (branch secretaries, committee and county staff); the
importer itself refuses rows naming an organization the user may not log for.
The upload's size is limited before anything reads the request body.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from orgs.models import BRANCH_LEVELS, Organization
from orgs.scoping import scope_q
from partybuild.xlsx import CellError, limit_uploads, too_large_error

from .. import access, selectors
from .. import excel_compliance as excel
from ..forms_compliance import MeetingImportForm
from ..importing import HEADERS, MAX_ROWS, REQUIRED, import_meetings
from ..models import MeetingType

SHOWN_ERRORS = 300  # a page of 5,000 error rows helps nobody
EXAMPLE_CODE = "A1"


def _check_importer(request):
    if not access.can_log_any(request.user):
        raise PermissionDenied


@login_required
@require_GET
def import_template(request):
    """The importer's empty file; its example names a branch the user logs for and the
    instructions list the county's types (two queries)."""
    _check_importer(request)
    writable = Organization.objects.filter(scope_q(request.user, roles=access.WRITERS)) \
        .filter(is_active=True)
    example = (writable.filter(level__in=BRANCH_LEVELS).order_by("path")
               .values_list("code", flat=True).first()) or EXAMPLE_CODE
    names = []
    for name in (MeetingType.objects.visible_to(request.user).filter(is_active=True)
                 .order_by("ordering", "pk").values_list("name", flat=True)):
        if name not in names:
            names.append(name)
    return excel.import_template(org_code=example, type_names=names, today=timezone.localdate())


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_http_methods(["GET", "POST"])
def meeting_import(request):
    _check_importer(request)
    limiter = None
    if request.method == "POST":
        limiter = limit_uploads(request)  # before anything reads POST or FILES
        try:
            request.POST  # noqa: B018 - parse now, so a broken body gets a message
        except MultiPartParserError:
            error = CellError(None, "", _("The upload could not be read. Choose the file again."))
            return _render(request, MeetingImportForm(), [error])
    return _import(request, limiter)


@csrf_protect
def _import(request, limiter):
    if request.method != "POST":
        return _render(request, MeetingImportForm(), [])
    form = MeetingImportForm(request.POST)
    if limiter.exceeded:
        return _render(request, form, [CellError(None, "", too_large_error().message, "file")])
    result = import_meetings(workbook_file=request.FILES.get("file"), user=request.user)
    if not result.ok:
        return _render(request, form, result.errors)
    messages.success(request, _("Imported %(count)s meetings.") % {"count": result.created})
    return redirect(reverse("meetings:compliance"))


def _render(request, form, errors):
    return render(request, "meetings/import.html", {
        "form": form,
        "tab": "import",
        "meetings_tabs": selectors.tabs_context(request.user),
        "errors": errors[:SHOWN_ERRORS],
        "error_count": len(errors),
        "more_errors": max(len(errors) - SHOWN_ERRORS, 0),
        "headers": [f"{h}*" if f in REQUIRED else h for f, h in HEADERS.items()],
        "max_rows": MAX_ROWS,
    })
