"""Problems and tasks one at a time: enter a problem, turn it into tasks (倒排 deadline
pre-filled), report progress with a photo from a phone, ask for closing, and 对账销号.

Every object is reached through rectification.access (404 outside the scope) and the
returned access says what the user may do (403 otherwise). Writes go through
rectification.services; a refusal there (a task waiting for its check, a rejection
without a reason, a photo that is not one) comes back as a 400 page with the message
and nothing changed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.access import get_assessment_for_user
from assessments.evidence import allowed_labels, too_large_error
from orgs.scoping import get_org_for_user, has_role
from partybuild.files import checked_file_response
from partybuild.xlsx import limit_uploads

from .. import selectors_work as selectors
from .. import services
from ..access import (
    STAFF,
    can_manage,
    get_problem_for_user,
    get_task_for_user,
    get_update_for_user,
    is_reporter,
)
from ..forms import REPORT_ACCEPT, CheckForm, CloseForm, ProblemForm, ReportForm, TaskForm
from ..models import TaskStatus


def _messages_of(error):
    return "；".join(error.messages)


def _refuse(request, message, back_url, status=400):
    messages.error(request, message)
    return render(request, "rectification/work/refused.html", {"back_url": back_url},
                  status=status)


# ---------------------------------------------------------------- problems


@login_required
@require_http_methods(["GET", "POST"])
def problem_create(request):
    """问题 entered by hand, by committee or county staff, for an organization they manage."""
    if not has_role(request.user, *STAFF):
        raise PermissionDenied
    initial, org = {}, None
    if request.method == "GET" and request.GET.get("org"):
        org, _access = get_org_for_user(request, request.GET["org"])
        if not can_manage(request.user, org):
            raise PermissionDenied
        initial["organization"] = org.code
    form = ProblemForm(request.POST if request.method == "POST" else None,
                       user=request.user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem = services.problem_create(
                    organization=data["organization"], description=data["description"],
                    severity=data["severity"], item=data["item"], found_on=data["found_on"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The problem was added to the problem list."))
                return redirect("rectification:problem_detail", pk=problem.pk)
        messages.error(request, _("The problem was not added: correct what is marked below."))
    return render(request, "rectification/work/problem_form.html", {"form": form, "org": org},
                  status=400 if request.method == "POST" else 200)


def _render_problem(request, problem, manage, *, task_form=None, status=200):
    assessment = problem.assessment
    campaign = assessment.campaign if assessment is not None else None
    if manage and task_form is None:
        task_form = TaskForm(organization=problem.organization,
                             initial={"deadline": services.default_deadline(problem)})
    return render(request, "rectification/work/problem_detail.html", {
        "problem": problem,
        "campaign": campaign,
        "finding": problem.finding if problem.finding_id else None,
        "tasks": selectors.problem_tasks(problem),
        "can_manage": manage,
        "task_form": task_form if manage else None,
    }, status=status)


@login_required
@require_GET
def problem_detail(request, pk):
    problem, manage = get_problem_for_user(request, pk)
    return _render_problem(request, problem, manage)


@login_required
@require_POST
def task_create(request, pk):
    problem, manage = get_problem_for_user(request, pk)
    if not manage:
        raise PermissionDenied
    form = TaskForm(request.POST, organization=problem.organization)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                problem=problem, measure=data["measure"], responsible=data["responsible"],
                responsible_name=data["responsible_name"], leader_name=data["leader_name"],
                starts_on=data["starts_on"], deadline=data["deadline"], by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The task was added to the task list."))
            return redirect("rectification:task_detail", pk=task.pk)
    messages.error(request, _("The task was not added: correct what is marked below."))
    return _render_problem(request, problem, manage, task_form=form, status=400)


@login_required
@require_POST
def generate_problems(request, pk):
    """问题清单 from a reviewed or accepted assessment now, instead of at the next hourly
    sync; the service is idempotent, so pressing twice adds nothing."""
    assessment, _access = get_assessment_for_user(request, pk)
    if not can_manage(request.user, assessment.organization):
        raise PermissionDenied
    back = redirect("assessments:assessment_detail", pk=assessment.pk)
    if assessment.status not in services.DONE_STATUSES:
        return _refuse(request, _("Problems are made from a reviewed or accepted assessment."),
                       back.url)
    created = services.problems_generate(assessment=assessment, by=request.user)
    if created:
        messages.success(request, ngettext(
            "%(n)d new problem was added to the problem list.",
            "%(n)d new problems were added to the problem list.", created) % {"n": created})
    else:
        messages.info(request, _("No new problem: the list already holds every item that "
                                 "fell short."))
    return back


# ---------------------------------------------------------------- tasks


def _render_task(request, task, access, *, report_form=None, close_form=None, check_form=None,
                 status=200):
    return render(request, "rectification/work/task_detail.html", {
        "task": task,
        "problem": task.problem,
        "access": access,
        "can_edit": access.can_manage and task.status != TaskStatus.CLOSED,
        "updates": selectors.task_updates(task),
        "checks": selectors.task_checks(task),
        "history": selectors.task_history(task),
        "report_form": report_form or ReportForm(initial={"progress": task.progress}),
        "close_form": close_form or CloseForm(),
        "check_form": check_form or CheckForm(),
        "accept": REPORT_ACCEPT,
        "allowed_types": allowed_labels(),
        "max_mb": f"{settings.EVIDENCE_MAX_BYTES / (1024 * 1024):.3g}",
    }, status=status)


@login_required
@require_GET
def task_detail(request, pk):
    task, access = get_task_for_user(request, pk)
    return _render_task(request, task, access)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    task, access = get_task_for_user(request, pk)
    if not access.can_manage:
        raise PermissionDenied
    if task.status == TaskStatus.CLOSED:
        return _refuse(request, _("A closed task cannot be changed."),
                       redirect("rectification:task_detail", pk=task.pk).url)
    if request.method == "GET":
        form = TaskForm(organization=task.organization, initial=TaskForm.initial_for(task))
    else:
        form = TaskForm(request.POST, organization=task.organization)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.task_edit(
                    task=task, by=request.user, measure=data["measure"],
                    responsible=data["responsible"], responsible_name=data["responsible_name"],
                    leader_name=data["leader_name"], starts_on=data["starts_on"],
                    deadline=data["deadline"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The task was saved."))
                return redirect("rectification:task_detail", pk=task.pk)
        messages.error(request, _("The task was not saved: correct what is marked below."))
    return render(request, "rectification/work/task_edit.html", {"task": task, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_POST
def task_report(request, pk):
    task, access = get_task_for_user(request, pk)
    if not is_reporter(request.user, task):
        raise PermissionDenied
    # Before anything parses the body: a file over the limit is dropped unread.
    limiter = limit_uploads(request, settings.EVIDENCE_MAX_BYTES)
    try:
        request.POST  # noqa: B018 - parse now, so a broken body gets a message
    except MultiPartParserError:
        messages.error(request, _("The upload could not be read. Choose the file again."))
        return _render_task(request, task, access, status=400)
    return _task_report(request, task, access, limiter)


@csrf_protect
def _task_report(request, task, access, limiter):
    form = ReportForm(request.POST)
    if limiter.exceeded:
        form.add_error(None, too_large_error().message)
    elif form.is_valid():
        try:
            services.task_report(
                task=task, by=request.user, text=form.cleaned_data["text"],
                progress=form.cleaned_data["progress"], upload=request.FILES.get("file"),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Progress reported."))
            return redirect("rectification:task_detail", pk=task.pk)
    messages.error(request, _("Nothing was reported: %(reason)s")
                   % {"reason": "；".join(e for errors in form.errors.values() for e in errors)})
    return _render_task(request, task, access, report_form=form, status=400)


@login_required
@require_POST
def task_request_close(request, pk):
    task, access = get_task_for_user(request, pk)
    if not is_reporter(request.user, task):
        raise PermissionDenied
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.task_request_close(task=task, by=request.user,
                                        text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(request, _("The task was put forward for its check."))
            return redirect("rectification:task_detail", pk=task.pk)
    else:
        messages.error(request, _("The note is too long."))
    return _render_task(request, task, access, close_form=form, status=400)


@login_required
@require_POST
def task_check(request, pk):
    """对账销号 by staff over the organization, never by the task's responsible person."""
    task, access = get_task_for_user(request, pk)
    if not access.can_manage or task.responsible_id == request.user.pk:
        raise PermissionDenied
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            services.task_check(task=task, by=request.user, accepted=form.accepted,
                                comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, _messages_of(error))
        else:
            if form.accepted:
                messages.success(request, _("Checked and closed (销号)."))
            else:
                messages.success(request, _("The closing was rejected; the task is back in "
                                            "progress."))
            return redirect("rectification:task_detail", pk=task.pk)
    else:
        messages.error(request, _("The check was not recorded: correct what is marked below."))
    return _render_task(request, task, access, check_form=form, status=400)


@login_required
@require_GET
def update_file(request, pk):
    update = get_update_for_user(request, pk)
    if not update.file:
        raise Http404("No file")
    # Images inline, so the task page can show them as thumbnails; anything else is saved.
    return checked_file_response(
        update.file, filename=update.original_name, content_type=update.content_type,
        inline=update.content_type.startswith("image/"),
    )
