"""The assessment page, 审核 (review, approve, return), 验收 (accept), the review queue,
the export of one assessment and 摘牌降星.

Every view reaches an assessment through access.get_assessment_for_user (404
outside the scope) and checks the returned AssessmentAccess for the action (403);
an organization through orgs.scoping.get_org_for_user. Writes go through
assessments.services, which record every transition.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.models import Role
from orgs.scoping import get_org_for_user, has_role, path_in_scope

from .. import prefill, services
from .. import selectors_review as selectors
from ..access import get_assessment_for_user
from ..excel_assessment import assessment_export_response
from ..forms_review import (
    CommentForm,
    QueueFilterForm,
    ReturnForm,
    ReviewValuesForm,
    StarRevokeForm,
)
from ..panels import assessment_panels_for

QUEUE_PAGE_SIZE = 50


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _messages_of(error: ValidationError):
    return error.messages if isinstance(error, ValidationError) else [str(error)]


# ---------------------------------------------------------------- the assessment page


def _render_detail(request, assessment, access, *, return_form=None, status=200):
    page = selectors.assessment_page(assessment)
    return render(
        request,
        "assessments/review/detail.html",
        {
            "assessment": assessment,
            "access": access,
            "page": page,
            "return_form": return_form or ReturnForm(),
            "accept_form": CommentForm(),
            "panels": assessment_panels_for(request, assessment),
        },
        status=status,
    )


@login_required
@require_GET
def assessment_detail(request, pk):
    assessment, access = get_assessment_for_user(request, pk)
    return _render_detail(request, assessment, access)


# ---------------------------------------------------------------- review


def _render_review(request, assessment, access, *, form=None, return_form=None,
                   approve_form=None, status=200):
    responses = selectors.responses_for_page(assessment)
    page = selectors.assessment_page(assessment, responses=responses)
    if form is None:
        form = ReviewValuesForm(
            responses=responses, grade_levels=assessment.campaign.standard_set.grade_levels
        )
    # Beside the secretary's value, what the records say (the meeting log's count of a
    # bound item): one call for the page.
    found = prefill.values_for(assessment, [row.item for row in page.rows])
    for row in page.rows:
        row.value_field = form[f"value_{row.item.pk}"]
        row.note_field = form[f"note_{row.item.pk}"]
        row.prefill = found.get(row.item.pk)
        row.prefill_differs = prefill.differs(row.prefill, row.response.self_value)
    return render(
        request,
        "assessments/review/review.html",
        {
            "assessment": assessment,
            "access": access,
            "page": page,
            "form": form,
            "return_form": return_form or ReturnForm(),
            "approve_form": approve_form or CommentForm(),
        },
        status=status,
    )


def _posted_values_form(request, assessment):
    responses = list(assessment.responses.select_related("item"))
    return ReviewValuesForm(
        request.POST, responses=responses,
        grade_levels=assessment.campaign.standard_set.grade_levels,
    )


def _carries_values(request):
    return any(key.startswith("value_") for key in request.POST)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    assessment, access = get_assessment_for_user(request, pk)
    if not access.can_review:
        raise PermissionDenied
    if request.method == "GET":
        return _render_review(request, assessment, access)
    form = _posted_values_form(request, assessment)
    if form.is_valid():
        try:
            services.reviewer_save(assessment=assessment, by=request.user, values=form.values())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Review notes saved."))
            return redirect("assessments:review", pk=assessment.pk)
    messages.error(request, _("Nothing was saved: correct the values marked below."))
    # The posted values come back as typed, with the error beside each one.
    return _render_review(request, assessment, access, form=form, status=400)


@login_required
@require_POST
def approve(request, pk):
    """审核通过. The review form's approve button posts its values too: they are saved
    and the approval made together, or neither (a refused approval keeps what was typed
    on the page, not half of it in the database)."""
    assessment, access = get_assessment_for_user(request, pk)
    if not access.can_review:
        raise PermissionDenied
    approve_form = CommentForm(request.POST)
    form = _posted_values_form(request, assessment) if _carries_values(request) else None
    if approve_form.is_valid() and (form is None or form.is_valid()):
        try:
            with transaction.atomic():
                if form is not None:
                    try:
                        services.reviewer_save(
                            assessment=assessment, by=request.user, values=form.values()
                        )
                    except ValidationError as error:
                        form.add_service_error(error)
                        raise
                services.assessment_approve(
                    assessment=assessment, by=request.user,
                    comment=approve_form.cleaned_data["comment"],
                )
        except ValidationError as error:
            if form is None or not form.errors:
                for message in _messages_of(error):
                    messages.error(request, message)
        else:
            messages.success(request, _("The self-check was approved."))
            return redirect("assessments:assessment_detail", pk=assessment.pk)
    messages.error(request, _("The self-check was not approved."))
    return _render_review(
        request, assessment, access, form=form, approve_form=approve_form, status=400
    )


@login_required
@require_POST
def return_(request, pk):
    """退回 with a reason: by the reviewer while submitted, by county staff once reviewed."""
    assessment, access = get_assessment_for_user(request, pk)
    if not access.can_return:
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_return(
                assessment=assessment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            messages.success(request, _("The self-check was returned to the branch."))
            return redirect("assessments:assessment_detail", pk=assessment.pk)
    messages.error(request, _("The self-check was not returned."))
    if access.can_review:
        return _render_review(request, assessment, access, return_form=form, status=400)
    return _render_detail(request, assessment, access, return_form=form, status=400)


@login_required
@require_POST
def accept(request, pk):
    """验收 by county staff: the grade stands and the stars are awarded."""
    assessment, access = get_assessment_for_user(request, pk)
    if not access.can_accept:
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_accept(
                assessment=assessment, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The assessment was accepted."))
            return redirect("assessments:assessment_detail", pk=assessment.pk)
    else:
        messages.error(request, _("The comment is too long."))
    return _render_detail(request, assessment, access, status=400)


# ---------------------------------------------------------------- the queue


@login_required
@require_GET
def review_queue(request):
    if not has_role(request.user, Role.COMMITTEE_STAFF, Role.COUNTY_STAFF):
        raise PermissionDenied
    form = QueueFilterForm(request.GET, user=request.user)
    f = form.filters()
    qs = selectors.review_queue(
        user=request.user, campaign=f.get("campaign"), committee=f.get("committee"),
        category=f.get("category"), status=f.get("status", ""), q=f.get("q", ""),
    )
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/review/queue.html",
        {
            "form": form,
            "page_obj": page,
            "rows": list(page.object_list),
            "querystring_without_page": _query_without_page(request),
        },
    )


# ---------------------------------------------------------------- export


@login_required
@require_GET
def assessment_export(request, pk):
    assessment, _access = get_assessment_for_user(request, pk)
    return assessment_export_response(assessment)


# ---------------------------------------------------------------- stars


@login_required
@require_http_methods(["GET", "POST"])
def star_revoke(request, org_pk):
    """摘牌降星: county staff over the organization lower or remove its stars, with a reason."""
    org, _access = get_org_for_user(request, org_pk)
    if not path_in_scope(request.user, org.path, {Role.COUNTY_STAFF}):
        raise PermissionDenied
    current = services.current_stars(org)
    form = StarRevokeForm(request.POST if request.method == "POST" else None, current=current)
    status = 200
    if not current:
        if request.method == "POST":
            messages.error(request, _("This organization has no stars to take away."))
            status = 400
    elif request.method == "POST":
        if form.is_valid():
            try:
                services.star_revoke(
                    organization=org, by=request.user, reason=form.cleaned_data["reason"],
                    stars=form.cleaned_data["stars"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The stars were taken away."))
                return redirect("orgs:detail", pk=org.pk)
        status = 400
    return render(
        request,
        "assessments/review/star_revoke.html",
        {
            "org": org, "form": form, "current": current,
            "current_text": selectors.star_text(current),
            "history": selectors.org_star_history(org),
        },
        status=status,
    )
