"""The branch secretary's pages: my tasks, the self-check (自查) form, evidence.

Built for a phone. The form saves as the secretary goes: each item's inputs
post to the same `fill` URL through htmx on change (the answer returns as a
fragment, with the progress bar out of band), and the whole form posts as a
plain "save draft" when JavaScript is off. Writes go through
assessments.services and assessments.evidence; every object is reached through
assessments.access (404 outside the scope).

Who may use the form: only `access.can_fill`. Anyone else who can see the
assessment (its committee, a viewer, the secretary once it is submitted) is sent
to its detail page on GET, and gets 403 on a POST.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partybuild.files import checked_file_response
from partybuild.xlsx import limit_uploads
from standards.models import ItemKind

from .. import prefill, services
from ..access import (
    assessment_access,
    get_assessment_for_user,
    get_evidence_for_user,
    get_response_for_user,
)
from ..evidence import (
    ACCEPT,
    EvidenceRejected,
    allowed_labels,
    evidence_add,
    evidence_remove,
    too_large_error,
)
from ..models import AssessmentStatus
from ..selectors_selfcheck import (
    attach_progress,
    fill_responses,
    group_by_dimension,
    my_tasks_queryset,
    progress_of,
)

TASKS_PAGE_SIZE = 25
# What a refused save answers: htmx swaps a 422 (see the page's htmx-config).
INVALID = 422


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _fill_url(assessment, item_id=None):
    url = reverse("assessments:fill", args=[assessment.pk])
    return f"{url}#item-{item_id}" if item_id else url


# ---------------------------------------------------------------- my tasks


@login_required
@require_GET
def my_tasks(request):
    page = Paginator(my_tasks_queryset(request.user), TASKS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    tasks = attach_progress(page.object_list)
    for task in tasks:
        task.can_fill = assessment_access(request.user, task).can_fill
    return render(request, "assessments/selfcheck/my_tasks.html", {
        "tasks": tasks,
        "page_obj": page,
        "querystring_without_page": "",
        "not_started": AssessmentStatus.NOT_STARTED,
    })


# ---------------------------------------------------------------- the self-check form


def _show(responses, posted=None, errors=None):
    """What each input shows: the posted text where a save was refused, else the stored."""
    posted, errors = posted or {}, errors or {}
    for r in responses:
        answer = posted.get(r.item_id, {})
        r.shown_value = answer.get("value", r.self_value)
        r.shown_text = answer.get("text", r.self_text)
        r.shown_note = answer.get("note", r.self_note)
        r.error = errors.get(r.item_id, "")
        r.value_posted = "value" in answer


def _attach_prefill(assessment, responses):
    """What other records say (the meeting log's counts, via assessments.prefill): one
    call for the whole page. A number item with nothing entered shows the record's value
    in its input, still to be saved; a value the secretary entered is never replaced. A
    stored value that differs from the record's wants a note: the page warns (it does
    not refuse) until there is one. Returns the items that warn."""
    found = prefill.values_for(assessment, [r.item for r in responses])
    differing = []
    for r in responses:
        r.prefill = found.get(r.item_id)
        r.prefilled = False
        r.prefill_differs = False
        if r.prefill is None:
            continue
        if (r.item.kind == ItemKind.NUMBER and r.shown_value == ""
                and not getattr(r, "value_posted", False)):
            r.shown_value = r.prefill.value
            r.prefilled = True
        if prefill.differs(r.prefill, r.self_value) and not r.self_note.strip():
            r.prefill_differs = True
            differing.append(r)
    return differing


def _fill_context(request, assessment, responses, **extra):
    context = {
        "assessment": assessment,
        "campaign": assessment.campaign,
        "organization": assessment.organization,
        "groups": group_by_dimension(responses),
        "responses": responses,
        "progress": progress_of(responses),
        "grade_levels": [level["label"] for level in assessment.campaign.standard_set.grade_levels],
        "accept": ACCEPT,
        "allowed_types": allowed_labels(),
        "max_mb": f"{settings.EVIDENCE_MAX_BYTES / (1024 * 1024):.3g}",
        # Shown until the self-check is submitted again (submitting clears it).
        "returned": bool(assessment.return_reason),
        # As services.overdue_q says it: still to be submitted after the deadline.
        "overdue": assessment.campaign.self_check_deadline < timezone.localdate(),
        "missing": [],
        "general_errors": [],
        "log_differences": _attach_prefill(assessment, responses),
    }
    context.update(extra)
    return context


def _render_fill(request, assessment, *, posted=None, errors=None, status=200, **extra):
    responses = fill_responses(assessment)
    _show(responses, posted, errors)
    context = _fill_context(request, assessment, responses, **extra)
    return render(request, "assessments/selfcheck/fill.html", context, status=status)


def _answers_from_post(data, responses):
    """{item_id: answer} for the items whose fields were posted; an item's missing fields
    (a radio left unchosen) keep what is stored."""
    answers = {}
    for r in responses:
        i = r.item_id
        answer = {}
        if r.item.kind == ItemKind.TEXT:
            if f"t-{i}" in data:
                answer["text"] = data[f"t-{i}"].strip()
        elif f"v-{i}" in data:
            answer["value"] = data[f"v-{i}"].strip()
        if f"n-{i}" in data:
            answer["note"] = data[f"n-{i}"].strip()
        if answer:
            answers[i] = answer
    return answers


def _split_error(exc):
    """(item errors {item_id: message}, general messages) of a refused save."""
    if hasattr(exc, "error_dict"):
        item_errors, general = {}, []
        for key, errors in exc.error_dict.items():
            text = "；".join(message for e in errors for message in e.messages)
            try:
                item_errors[int(key)] = text
            except (TypeError, ValueError):
                general.append(text)
        return item_errors, general
    return {}, exc.messages


@login_required
@require_http_methods(["GET", "POST"])
def fill(request, pk):
    assessment, access = get_assessment_for_user(request, pk)
    if not access.can_fill:
        if request.method == "POST":
            raise PermissionDenied
        return redirect("assessments:assessment_detail", pk=assessment.pk)
    if request.method == "GET":
        services.assessment_open(assessment=assessment, by=request.user)
        return _render_fill(request, assessment)
    return _fill_post(request, assessment)


def _fill_post(request, assessment):
    services.assessment_open(assessment=assessment, by=request.user)
    responses = fill_responses(assessment)
    answers = _answers_from_post(request.POST, responses)
    htmx_item = None
    if _is_htmx(request):
        try:
            htmx_item = int(request.POST.get("item", ""))
        except ValueError:
            htmx_item = None
        if htmx_item not in {r.item_id for r in responses}:
            return render(request, "assessments/selfcheck/_message.html",
                          {"message": _("This item does not apply to this organization.")},
                          status=400)
        answers = {htmx_item: answers[htmx_item]} if htmx_item in answers else {}

    errors, general = {}, []
    if answers:
        try:
            saved = services.assessment_save(
                assessment=assessment, by=request.user, answers=answers
            )
        except ValidationError as exc:
            errors, general = _split_error(exc)
        else:
            for name in ("status", "self_score", "self_grade", "started_at"):
                setattr(assessment, name, getattr(saved, name))
            responses = fill_responses(assessment)

    if htmx_item is not None:
        if general:
            errors[htmx_item] = "；".join(general)
        _show(responses, answers if errors else None, errors)
        context = _fill_context(request, assessment, responses)
        context["r"] = next(r for r in responses if r.item_id == htmx_item)
        context["group"] = next(
            g for g in context["groups"] if g.dimension.pk == context["r"].item.dimension_id
        )
        context["saved"] = bool(answers) and not errors
        return render(request, "assessments/selfcheck/_item_saved.html", context,
                      status=INVALID if errors else 200)

    if errors or general:
        messages.error(request, _("Nothing was saved: correct the items marked below."))
        return _render_fill(request, assessment, posted=answers, errors=errors,
                            general_errors=general, status=400)
    messages.success(request, _("Draft saved."))
    return redirect(_fill_url(assessment))


@login_required
@require_POST
def submit(request, pk):
    assessment, access = get_assessment_for_user(request, pk)
    if not access.can_fill:
        raise PermissionDenied
    try:
        services.assessment_submit(assessment=assessment, by=request.user)
    except ValidationError as exc:
        return _render_fill(request, assessment, missing=exc.messages, status=400)
    messages.success(
        request,
        _("The self-check of %(org)s has been submitted for review.")
        % {"org": assessment.organization.name},
    )
    return redirect("assessments:my_tasks")


# ---------------------------------------------------------------- evidence


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_POST
def evidence_upload(request, pk):
    response, access = get_response_for_user(request, pk)
    if not access.can_fill:
        raise PermissionDenied
    # Before anything parses the body: a file over the limit is dropped unread.
    limiter = limit_uploads(request, settings.EVIDENCE_MAX_BYTES)
    try:
        request.POST  # noqa: B018 - parse now, so a broken body gets a message
    except MultiPartParserError:
        return _upload_refused(
            request, response, _("The upload could not be read. Choose the file again.")
        )
    return _evidence_upload(request, response, limiter)


@csrf_protect
def _evidence_upload(request, response, limiter):
    try:
        if limiter.exceeded:
            raise too_large_error()
        evidence = evidence_add(
            response=response, uploaded_file=request.FILES.get("file"), by=request.user
        )
    except EvidenceRejected as exc:
        return _upload_refused(request, response, exc.message)
    except ValidationError as exc:
        return _upload_refused(request, response, "；".join(exc.messages))
    messages.success(request, _("Uploaded %(name)s.") % {"name": evidence.original_name})
    return redirect(_fill_url(response.assessment, response.item_id))


def _upload_refused(request, response, message):
    assessment = response.assessment
    messages.error(request, _("The file was not uploaded: %(reason)s") % {"reason": message})
    return _render_fill(request, assessment, errors={response.item_id: message}, status=400)


@login_required
@require_GET
def evidence_download(request, pk):
    evidence = get_evidence_for_user(request, pk)
    return checked_file_response(evidence.file, filename=evidence.original_name,
                                 content_type=evidence.content_type)


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = get_evidence_for_user(request, pk)
    assessment = evidence.response.assessment
    if not assessment_access(request.user, assessment).can_fill:
        raise PermissionDenied
    item_id, name = evidence.response.item_id, evidence.original_name
    try:
        evidence_remove(evidence=evidence, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assessments:assessment_detail", pk=assessment.pk)
    messages.success(request, _("Deleted %(name)s.") % {"name": name})
    return redirect(_fill_url(assessment, item_id))
