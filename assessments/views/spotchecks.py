"""随机抽查: draw a reproducible sample of a campaign's organizations, name the inspectors,
record what they find per item.

Who: county staff over the campaign draw, assign and record; the inspector named on
a sample records findings on it (wherever they sit); county and committee staff and
viewers read the samples in their scope; everyone else gets a 404
(see access.get_spot_check_for_user / get_sample_for_user).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from orgs.scoping import path_in_scope
from standards.models import ItemKind

from .. import services
from ..access import (
    SPOT_CHECK_READERS,
    get_campaign_for_user,
    get_sample_for_user,
    get_spot_check_for_user,
    spot_check_samples_q,
)
from ..forms_spotchecks import AssignForm, FindingForm, SampleDoneForm, SpotCheckForm
from ..models import AssessmentStatus, CampaignStatus, Finding, StarRating
from ..scoring import parse_value

PAGE_SIZE = 100


def _messages_of(error):
    if hasattr(error, "message_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return error.messages


# ---------------------------------------------------------------- draw


@login_required
@require_http_methods(["GET", "POST"])
def spot_check_create(request, pk):
    campaign, can_manage = get_campaign_for_user(request, pk)
    if not can_manage:
        raise PermissionDenied
    form = SpotCheckForm(request.POST or None, initial={"name": _("Spot check of %(campaign)s")
                                                        % {"campaign": campaign.name}})
    status = 200
    if campaign.status not in (CampaignStatus.ACTIVE, CampaignStatus.CLOSED):
        form.add_error(None, _("The campaign has not been launched: there is nothing to draw from."))
        status = 400 if request.method == "POST" else 200
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                spot_check = services.spot_check_draw(
                    campaign=campaign, by=request.user, name=data["name"], share=data["share"],
                    weight_lagging=data["weight_lagging"], seed=data["seed"],
                )
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error(None, message)
            else:
                count = spot_check.samples.count()
                messages.success(request, ngettext(
                    "%(count)d organization was drawn.", "%(count)d organizations were drawn.",
                    count) % {"count": count})
                return redirect("assessments:spot_check_detail", pk=spot_check.pk)
        status = 400
    return render(request, "assessments/spotchecks/create.html",
                  {"campaign": campaign, "form": form}, status=status)


# ---------------------------------------------------------------- the sample list


@login_required
@require_http_methods(["GET", "POST"])
def spot_check_detail(request, pk):
    spot_check, can_manage = get_spot_check_for_user(request, pk)
    campaign = spot_check.campaign
    assign_error = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = AssignForm(request.POST, campaign=campaign)
        sample = None
        if form.is_valid():
            sample = spot_check.samples.select_related("assessment").filter(
                pk=form.cleaned_data["sample"]).first()
        if sample is None:
            assign_error = _("Choose an inspector from the list for a sample of this spot check.")
        else:
            inspector = form.cleaned_data["inspector"]
            try:
                services.sample_assign(sample=sample, inspector=inspector, by=request.user)
            except ValidationError as error:
                assign_error = " ".join(_messages_of(error))
            else:
                if inspector is None:
                    messages.success(request, _("The inspector of %(org)s was cleared.") % {
                        "org": _org_name(sample)})
                else:
                    messages.success(request, _("%(user)s will inspect %(org)s.") % {
                        "user": inspector.display_name, "org": _org_name(sample)})
                return redirect(f"{request.path}#sample-{sample.pk}")

    samples = spot_check.samples.filter(
        spot_check_samples_q(request.user, can_manage=can_manage)
    )
    totals = samples.aggregate(all=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
    paginator = Paginator(
        samples.select_related("assessment__organization", "inspector")
        .order_by("assessment__organization__path"),
        PAGE_SIZE,
    )
    paginator.count = totals["all"]  # counted above already: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "spot_check": spot_check,
        "campaign": campaign,
        "can_manage": can_manage,
        "page_obj": page,
        "samples": page.object_list,
        "totals": totals,
        "candidates": list(AssignForm(campaign=campaign).fields["inspector"].queryset)
        if can_manage else [],
        "assign_error": assign_error,
        "querystring_without_page": "",
    }
    return render(request, "assessments/spotchecks/detail.html", context,
                  status=400 if assign_error else 200)


def _org_name(sample):
    return sample.assessment.organization.name


# ---------------------------------------------------------------- one sampled organization


def _value_label(item, raw):
    """A stored value as people read it: 是/否, the number with its unit, the level."""
    if raw in ("", None):
        return ""
    if item.kind == ItemKind.CHECK:
        return _("Yes") if parse_value(item, raw) else _("No")
    if item.kind == ItemKind.NUMBER:
        return f"{raw} {item.unit}".strip()
    if item.kind == ItemKind.TEXT:
        return _("%(score)s points") % {"score": raw}
    return raw  # graded: the level's label


@login_required
@require_http_methods(["GET", "POST"])
def sample_detail(request, pk):
    sample, can_record = get_sample_for_user(request, pk)
    assessment = sample.assessment
    campaign = sample.spot_check.campaign
    finding_form = done_form = None
    errors = []
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if request.POST.get("action") == "done":
            done_form = SampleDoneForm(request.POST)
            if done_form.is_valid():
                try:
                    services.sample_done(sample=sample, by=request.user,
                                         summary=done_form.cleaned_data["summary"])
                except ValidationError as error:
                    errors = _messages_of(error)
                else:
                    messages.success(request, _("The inspection of %(org)s is marked done.")
                                     % {"org": assessment.organization.name})
                    return redirect("assessments:sample_detail", pk=sample.pk)
        else:
            finding_form = FindingForm(request.POST)
            if finding_form.is_valid():
                data = finding_form.cleaned_data
                item = assessment.responses.select_related(
                    "item__standard_set").filter(item_id=data["item"]).first()
                if item is None:
                    errors = [_("This item does not apply to this organization.")]
                else:
                    try:
                        services.finding_record(
                            sample=sample, item=item.item, found_value=data["found_value"],
                            note=data["note"], by=request.user,
                            revoke_stars=data["revoke_stars"],
                            revoke_reason=data["revoke_reason"],
                        )
                    except ValidationError as error:
                        errors = _messages_of(error)
                    else:
                        messages.success(request, _("The finding on %(code)s was recorded.")
                                         % {"code": item.item.code})
                        return redirect(f"{request.path}#findings")
        for form in (finding_form, done_form):
            if form is not None:
                errors += [e for field_errors in form.errors.values() for e in field_errors]
        status = 400

    responses = list(
        assessment.responses.select_related("item__dimension").order_by(
            "item__dimension__ordering", "item__ordering", "item__pk")
    )
    levels = [level["label"] for level in campaign.standard_set.grade_levels]
    findings = list(
        Finding.objects.filter(sample__assessment=assessment)
        .select_related("item", "by", "sample__spot_check").order_by("at", "pk")
    )
    latest = {}
    for finding in findings:
        finding.label = _value_label(finding.item, finding.found_value)
        if finding.found_value != "":
            latest[finding.item_id] = finding  # the latest value stands, as in scoring
    rows = []
    for response in responses:
        item = response.item
        final_raw = response.reviewer_value or (
            "" if item.kind == ItemKind.TEXT else response.self_value)
        rows.append({
            "response": response,
            "item": item,
            "self_label": _value_label(item, response.self_value),
            "final_label": _value_label(item, final_raw),
            "found": latest.get(item.pk),
            "found_label": latest[item.pk].label if item.pk in latest else "",
        })
    # After a refused finding, its item's form opens again with what was typed.
    posted = finding_form.data if finding_form is not None else {}
    stars = (
        StarRating.objects.filter(organization_id=assessment.organization_id)
        .order_by("-at", "-pk").values_list("stars", flat=True).first()
    )
    context = {
        "sample": sample,
        "spot_check": sample.spot_check,
        "campaign": campaign,
        "assessment": assessment,
        "org": assessment.organization,
        "can_record": can_record,
        "can_open_assessment": path_in_scope(
            request.user, assessment.organization.path, SPOT_CHECK_READERS),
        "rows": rows,
        "levels": levels,
        "findings": findings,
        "current_stars": stars,
        "errors": errors,
        "finding_form": finding_form,
        "posted": posted,
        "posted_item": str(posted.get("item", "")),
        "done_form": done_form or SampleDoneForm(initial={"summary": sample.summary}),
        "not_started": assessment.status == AssessmentStatus.NOT_STARTED and not responses,
    }
    return render(request, "assessments/spotchecks/sample.html", context, status=status)


# ---------------------------------------------------------------- for the campaign page


