"""季督查 and 通报: the quarter's inspections, one inspection with its sample, recording
visits and findings, and the bulletin of what was found (page and Excel).

Readers are those `access.can_read` admits (county and committee staff, viewers, and
anyone made an inspector); each sees the inspections `access.inspections_visible_to`
gives them. An inspection is reached through `access.get_inspection_for_user` (404
outside), and its `InspectionAccess` says who may assign inspectors and finish it
(county staff over the committee) and who may record (those, and its inspectors): 403
otherwise. Writes go through supervision.inspections.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access
from .. import excel_inspections as excel
from .. import inspections as service
from .. import selectors_inspections as sel
from ..forms_inspections import FindingForm, FinishForm, InspectorsForm, QuarterForm, VisitForm
from ..models import InspectionStatus


def _reader(request):
    if not access.can_read(request.user):
        raise PermissionDenied
    return request.user


def quarter_label(period) -> str:
    return _("%(year)s Q%(quarter)s") % {"year": period.year, "quarter": sel.quarter_number(period)}


def _quarter(request, user):
    """(the quarter shown, the picker): the one asked for, else the latest with an
    inspection; an unreadable one is said and replaced by the default."""
    quarters = sel.quarters_for(user)
    period, bad = sel.choose_quarter(request.GET.get("quarter"), quarters)
    if bad:
        messages.warning(request, _("Unknown quarter; write it as 2026Q4. Showing %(quarter)s.")
                         % {"quarter": quarter_label(period)})
    if period not in quarters:
        quarters = sorted([*quarters, period], reverse=True)
    form = QuarterForm(
        initial={"quarter": sel.quarter_code(period)},
        choices=[(sel.quarter_code(q), quarter_label(q)) for q in quarters],
    )
    return period, form


def _detail_url(inspection, sample=None) -> str:
    url = reverse("supervision:inspection_detail", args=[inspection.pk])
    return f"{url}#sample-{sample.pk}" if sample is not None else url


# ---------------------------------------------------------------- the quarter's list


@login_required
@require_GET
def inspection_list(request):
    user = _reader(request)
    period, form = _quarter(request, user)
    inspections = list(sel.inspections_for_quarter(user=user, period=period))
    return render(request, "supervision/inspections/list.html", {
        "form": form,
        "period": period,
        "quarter": sel.quarter_code(period),
        "quarter_label": quarter_label(period),
        "inspections": inspections,
        "totals": sel.list_totals(inspections),
        "is_county_staff": access.is_county_staff(user),
    })


# ---------------------------------------------------------------- one inspection


def _render_detail(request, inspection, rights, *, inspectors_form=None, finish_form=None,
                   visit_forms=None, status=200):
    samples = sel.samples_of(user=request.user, inspection=inspection)
    inspectors = list(inspection.inspectors.order_by("full_name", "username"))
    visit_forms = visit_forms or {}
    if rights.can_record:
        today = timezone.localdate()
        for sample in samples:
            sample.visit_form = visit_forms.get(sample.pk) or VisitForm(
                prefix=f"s{sample.pk}",
                initial={"inspected_on": sample.inspected_on or today, "note": sample.note},
            )
    if rights.can_manage:
        inspectors_form = inspectors_form or InspectorsForm(
            candidates=sel.inspector_candidates(inspection.committee),
            initial={"inspectors": [u.pk for u in inspectors]},
        )
        finish_form = finish_form or FinishForm(initial={"notes": inspection.notes})
    return render(request, "supervision/inspections/detail.html", {
        "inspection": inspection,
        "rights": rights,
        "quarter": sel.quarter_code(inspection.period),
        "quarter_label": quarter_label(inspection.period),
        "samples": samples,
        "totals": sel.sample_totals(samples),
        "inspectors": inspectors,
        "inspectors_form": inspectors_form,
        "finish_form": finish_form,
        "is_done": inspection.status == InspectionStatus.DONE,
        "is_county_staff": access.is_county_staff(request.user),
    }, status=status)


@login_required
@require_GET
def inspection_detail(request, pk):
    inspection, rights = access.get_inspection_for_user(request, pk)
    return _render_detail(request, inspection, rights)


@login_required
@require_POST
def inspection_inspectors(request, pk):
    inspection, rights = access.get_inspection_for_user(request, pk)
    if not rights.can_manage:
        raise PermissionDenied
    form = InspectorsForm(request.POST, candidates=sel.inspector_candidates(inspection.committee))
    if not form.is_valid():
        messages.error(request, _("The inspectors were not changed: correct what is marked below."))
        return _render_detail(request, inspection, rights, inspectors_form=form, status=400)
    service.inspectors_set(inspection=inspection, by=request.user, users=form.cleaned_data["inspectors"])
    messages.success(request, _("The inspectors were saved."))
    return redirect(_detail_url(inspection))


@login_required
@require_POST
def inspection_finish(request, pk):
    inspection, rights = access.get_inspection_for_user(request, pk)
    if not rights.can_manage:
        raise PermissionDenied
    form = FinishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The inspection was not finished: correct what is marked below."))
        return _render_detail(request, inspection, rights, finish_form=form, status=400)
    try:
        service.inspection_finish(inspection=inspection, by=request.user,
                                  notes=form.cleaned_data["notes"])
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("The inspection is finished."))
    return redirect(_detail_url(inspection))


# ---------------------------------------------------------------- one sampled organization


def _sample(request, pk):
    sample, rights = access.get_sample_for_user(request, pk)
    if not rights.can_record:
        raise PermissionDenied
    return sample, rights


@login_required
@require_POST
def sample_visit(request, pk):
    sample, rights = _sample(request, pk)
    inspection = sample.inspection
    form = VisitForm(request.POST, prefix=f"s{sample.pk}")
    if not form.is_valid():
        messages.error(request, _("The visit was not recorded: correct what is marked below."))
        return _render_detail(request, inspection, rights, visit_forms={sample.pk: form}, status=400)
    service.sample_visited(sample=sample, by=request.user, inspected_on=form.cleaned_data["inspected_on"],
                           note=form.cleaned_data["note"])
    messages.success(request, _("The visit to %(org)s was recorded.") % {"org": sample.organization.name})
    return redirect(_detail_url(inspection, sample))


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request, pk):
    sample, _rights = _sample(request, pk)
    inspection = sample.inspection
    form = FindingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service.finding_record(
                    sample=sample, by=request.user, description=form.cleaned_data["description"],
                    severity=form.cleaned_data["severity"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, _("The finding at %(org)s was recorded and added to the problem list.")
                    % {"org": sample.organization.name},
                )
                return redirect(_detail_url(inspection, sample))
        status = 400
    return render(request, "supervision/inspections/finding_form.html", {
        "form": form,
        "sample": sample,
        "inspection": inspection,
        "quarter_label": quarter_label(inspection.period),
    }, status=status)


# ---------------------------------------------------------------- 通报


@login_required
@require_GET
def bulletin(request):
    user = _reader(request)
    period, form = _quarter(request, user)
    groups = sel.bulletin(user=user, period=period)
    return render(request, "supervision/inspections/bulletin.html", {
        "form": form,
        "period": period,
        "quarter": sel.quarter_code(period),
        "quarter_label": quarter_label(period),
        "groups": groups,
        "totals": sel.bulletin_totals(groups),
        "is_county_staff": access.is_county_staff(user),
    })


@login_required
@require_GET
def bulletin_export(request):
    user = _reader(request)
    requested = request.GET.get("quarter")
    if requested:
        period = sel.parse_quarter(requested)
        if period is None:
            return HttpResponseBadRequest(_("Unknown quarter; write it as 2026Q4."),
                                          content_type="text/plain; charset=utf-8")
    else:
        period, _bad = sel.choose_quarter("", sel.quarters_for(user))
    return excel.bulletin_export(groups=sel.bulletin(user=user, period=period), period=period)
