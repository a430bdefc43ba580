"""Excel export and import of a whole standard set.

The work is in standards/excel.py (the file format), standards/importing.py
(checks and writes) and partybuild/xlsx.py (the project's spreadsheet plumbing).
The import page follows orgs/views/excel.py: the upload size limit is in place
before the body is parsed, so the view checks the CSRF token itself afterwards.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from orgs.models import Organization
from partybuild.xlsx import (
    CellError,
    XlsxRejected,
    limit_uploads,
    open_xlsx_upload,
    too_large_error,
)

from ..access import can_create_sets, get_set_for_user
from ..excel import HEADERS, KIND_NAMES, OPTIONAL, export_response, read_item_rows
from ..importing import (
    ImportRejected,
    editable_drafts,
    issuing_orgs,
    items_from_rows,
    published_message,
)
from ..importing import set_import as import_items
from ..models import StandardSet

SHOWN_ERRORS = 300  # a page of 3,000 error rows helps nobody


@login_required
@require_GET
def set_export(request, pk):
    """Anyone who may browse the whole set (not a secretary: they print the checklist)."""
    standard_set, _can_edit = get_set_for_user(request, pk)
    return export_response(standard_set=standard_set)


def _label(name):
    return capfirst(StandardSet._meta.get_field(name).verbose_name)


class NewSetForm(forms.Form):
    """The fields of the set a file creates; the file itself is read apart from the form."""

    name = forms.CharField(label=_label("name"), max_length=100)
    code = forms.SlugField(
        label=_label("code"),
        max_length=40,
        help_text=gettext_lazy("Letters, digits, - and _ only, e.g. wuhua; the same for every version."),
    )
    year = forms.IntegerField(label=_label("year"), min_value=1949, max_value=2100)
    source_document = forms.CharField(
        label=_label("source_document"), max_length=300, required=False
    )
    organization = forms.ModelChoiceField(
        label=_label("organization"), queryset=Organization.objects.none(), empty_label=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = issuing_orgs(user)
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        org, code = data.get("organization"), data.get("code")
        if org is not None and code and StandardSet.objects.filter(
            organization=org, code=code
        ).exists():
            # set_create would quietly make it version 2 of that library.
            self.add_error(
                "code",
                _(
                    "%(org)s already has a library with the code %(code)s: choose another "
                    "code, or import into a draft of that library."
                )
                % {"org": org.name, "code": code},
            )
        return data


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_http_methods(["GET", "POST"])
def set_import(request):
    """A new set from a file, or (`?into=<pk>`) a draft's items replaced by the file's."""
    if not can_create_sets(request.user):
        raise PermissionDenied
    into = None
    if "into" in request.GET:
        into, can_edit = get_set_for_user(request, request.GET["into"])
        if not can_edit:
            raise PermissionDenied
    limiter = None
    if request.method == "POST":
        limiter = limit_uploads(request)
        try:
            request.POST  # noqa: B018 - parse now, so a broken body gets a message
        except MultiPartParserError:
            error = CellError(None, "", _("The upload could not be read. Choose the file again."))
            return _render(request, into=into, form=None, errors=[error], status=400)
    return _set_import(request, into, limiter)


@csrf_protect
def _set_import(request, into, limiter):
    posted = request.method == "POST"
    form = None
    if into is None:
        form = NewSetForm(request.POST if posted else None, user=request.user)
    if not posted:
        return _render(request, into=into, form=form, errors=[])
    if into is not None and not into.is_draft:
        error = CellError(None, "", published_message(), "frozen")
        return _render(request, into=into, form=form, errors=[error], status=400)

    errors, items = [], []
    try:
        if limiter.exceeded:
            raise too_large_error()
        workbook = open_xlsx_upload(request.FILES.get("file"))
        try:
            rows, cell_errors = read_item_rows(workbook)
        finally:
            workbook.close()
        items = items_from_rows(rows=rows, cell_errors=cell_errors)
    except XlsxRejected as exc:
        errors = [CellError(None, "", exc.message, "file")]
    except ImportRejected as exc:
        errors = exc.errors
    # Both checked before answering, so the user sees every problem at once.
    form_ok = form is None or form.is_valid()
    if errors or not form_ok:
        return _render(request, into=into, form=form, errors=errors, status=400)

    try:
        result = import_items(
            items=items, by=request.user, into=into,
            new_set=form.cleaned_data if form is not None else None,
        )
    except ImportRejected as exc:
        return _render(request, into=into, form=form, errors=exc.errors, status=400)
    counts = {
        "items": result.items, "dimensions": result.dimensions, "set": str(result.standard_set),
    }
    if result.created:
        text = _("Import finished: %(set)s was created with %(items)s items in "
                 "%(dimensions)s dimensions.")
    else:
        text = _("Import finished: the items of %(set)s were replaced by %(items)s items in "
                 "%(dimensions)s dimensions.")
    messages.success(request, text % counts)
    return redirect("standards:set_detail", pk=result.standard_set.pk)


def _render(request, *, into, form, errors, status=200):
    return render(
        request,
        "standards/import.html",
        {
            "into": into,
            "form": form,
            "drafts": editable_drafts(request.user) if into is None else [],
            "errors": errors[:SHOWN_ERRORS],
            "error_count": len(errors),
            "more_errors": max(len(errors) - SHOWN_ERRORS, 0),
            "headers": HEADERS.values(),
            "optional_headers": [HEADERS[name] for name in OPTIONAL],
            "kind_names": KIND_NAMES.values(),
        },
        status=status,
    )
