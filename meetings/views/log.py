"""The meeting log: logging a meeting on a phone, a meeting and its files, the list with its
export, and one organization's calendar.

A meeting is logged with its photos and sign-in sheets in one POST and one transaction:
a file that fails the evidence checks leaves no meeting behind (and no file on disk), so
a secretary never finds half a record to tidy up. Reading goes through
`Meeting.objects.visible_to` and meetings.access; writing through meetings.services.
"""

import calendar
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.evidence import EvidenceRejected, allowed_labels, too_large_error, validate_upload
from exports.registry import exporter, request_for
from exports.services import respond
from orgs.models import Organization
from orgs.scoping import get_org_for_user
from orgs.selectors.committees import committee_choices, committee_names, committee_of, scope_names
from partybuild.files import checked_file_response
from partybuild.xlsx import limit_uploads

from .. import access, excel, selectors, services
from ..forms import ACCEPT, DeleteForm, LogFilterForm, MeetingForm
from ..models import MeetingAttachment, MeetingType

PAGE_SIZE = 50
MAX_MB = f"{settings.EVIDENCE_MAX_BYTES / (1024 * 1024):.3g}"
# The fields a history row compares with the one before it, to say what an edit changed.
TRACKED = ("meeting_type_id", "held_on", "topic", "due", "present", "absences", "place", "host",
           "minutes")


def _reader(request):
    """Anyone with a role reads their scope's log; anyone else gets 403."""
    if not access.can_read(request.user):
        raise PermissionDenied
    return request.user


def _upload_context(**extra):
    return {"accept": ACCEPT, "allowed_types": allowed_labels(), "max_mb": MAX_MB,
            "max_files": services.MAX_ATTACHMENTS, **extra}


def _check_files(files, limiter, *, room=services.MAX_ATTACHMENTS) -> str:
    """The reason these uploads cannot all be kept, or "". Checked before anything is saved,
    so a refused file never costs the meeting it came with."""
    if limiter is not None and limiter.exceeded:
        return too_large_error().message
    if len(files) > room:
        return _("A meeting holds at most %(n)d files.") % {"n": services.MAX_ATTACHMENTS}
    for f in files:
        try:
            validate_upload(f)
        except EvidenceRejected as exc:
            return f"{f.name}: {exc.message}"
    return ""


def _store(meeting, files, by):
    """Every file or none (the caller's transaction rolls the rows back; this removes what a
    failure had already written to disk)."""
    stored = []
    try:
        for f in files:
            stored.append(services.attachment_add(meeting=meeting, uploaded_file=f, by=by))
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def _show_errors(form, error: ValidationError):
    """A service's refusal on the form's fields (those it names that the form has)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)


# ---------------------------------------------------------------- logging a meeting


def _preselected(request):
    """The organization of `?org=` (404 out of scope, 403 if the user may not log for it),
    or None."""
    pk = request.GET.get("org", "")
    if not pk:
        return None
    org, _access = get_org_for_user(request, pk)
    if not (access.can_log(request.user, org) and org.is_active
            and org.level in selectors.LOGGING_LEVELS):
        raise PermissionDenied
    return org


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    if not access.can_log_any(request.user):
        raise PermissionDenied
    limiter = None
    if request.method == "POST":
        # Before anything parses the body: a file over the limit is dropped unread.
        limiter = limit_uploads(request, settings.EVIDENCE_MAX_BYTES)
        try:
            request.POST  # noqa: B018 - parse now, so a broken body gets a message
        except MultiPartParserError:
            messages.error(request, _("The upload could not be read. Choose the files again."))
            return redirect(request.get_full_path())
    return _meeting_create(request, limiter)


@csrf_protect
def _meeting_create(request, limiter):
    user = request.user
    preselected = _preselected(request)
    orgs = selectors.loggable_orgs(user)
    if preselected is not None:
        orgs = orgs.filter(pk=preselected.pk)
    # One query; a county's staff pick among its branches, a secretary has one or two.
    choices = list(orgs.only("pk", "name", "code", "path", "depth", "level", "member_count",
                             "founded_on", "is_active"))
    if not choices:
        raise PermissionDenied  # a writer whose scope holds no branch
    fixed = choices[0] if len(choices) == 1 else None
    # The county's types; with several organizations to choose from, those the user's county
    # issued (meetings.services refuses a type that is not the chosen organization's).
    types = services.types_for(fixed) if fixed is not None else \
        MeetingType.objects.visible_to(user).filter(is_active=True)
    if request.method == "POST":
        chosen = request.POST.get("organization", "")
        if chosen.isdigit() and int(chosen) not in {org.pk for org in choices}:
            raise PermissionDenied  # an organization the form never offered this user
        form = MeetingForm(request.POST, orgs=orgs, types=types)
        files = request.FILES.getlist("files")
        file_error = _check_files(files, limiter)
        if form.is_valid() and not file_error:
            org = form.cleaned_data["organization"]
            try:
                with transaction.atomic():
                    meeting = services.meeting_record(organization=org, by=user,
                                                      **form.meeting_fields(org))
                    _store(meeting, files, user)
            except EvidenceRejected as exc:
                file_error = exc.message
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("Logged: %(meeting)s.") % {"meeting": meeting})
                return redirect("meetings:meeting_detail", pk=meeting.pk)
        if files:
            file_error = file_error or _("Nothing was saved: choose the files again.")
        status = 400
    else:
        initial = {"organization": fixed or preselected}
        if fixed is not None:
            initial["due"] = fixed.member_count
        theme_day = types.filter(code="theme_day").values_list("pk", flat=True).first()
        if theme_day:
            initial["meeting_type"] = theme_day  # the monthly one, and the example
        form = MeetingForm(initial=initial, orgs=orgs, types=types)
        file_error, status = "", 200
    if fixed is not None:
        form.hide_organization()
    return render(request, "meetings/log/form.html", _upload_context(
        form=form, org=fixed, preselected=preselected, file_error=file_error,
        choose_url=request.path if preselected is not None and len(
            selectors.loggable_orgs(user)[:2]) > 1 else "",
    ), status=status)


# ---------------------------------------------------------------- a meeting


def _history(meeting):
    """The meeting's history, newest first, each row saying which fields it changed (one
    query)."""
    rows = list(meeting.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = {f.attname: f.verbose_name for f in meeting._meta.fields}
    previous = None
    for row in rows:
        row.changed = [] if previous is None else [
            fields[name] for name in TRACKED if getattr(row, name) != getattr(previous, name)]
        previous = row
    return rows[::-1]


def _render_detail(request, meeting, can_write, *, upload_error="", status=200):
    attachments = list(meeting.attachments.select_related("uploaded_by"))
    return render(request, "meetings/log/detail.html", _upload_context(
        meeting=meeting,
        org=meeting.organization,
        can_write=can_write,
        attachments=attachments,
        room=services.MAX_ATTACHMENTS - len(attachments),
        history=_history(meeting),
        committee=committee_of(meeting.organization.path, committee_names()),
        upload_error=upload_error,
    ), status=status)


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting, can_write = access.get_meeting_for_user(request, pk)
    return _render_detail(request, meeting, can_write)


def _writer(request, pk):
    meeting, can_write = access.get_meeting_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    return meeting


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _writer(request, pk)
    org = meeting.organization
    types = services.types_for(org)
    # The type it has stays a choice even if the county has since retired it.
    types = MeetingType.objects.filter(pk__in=[*types.values_list("pk", flat=True),
                                               meeting.meeting_type_id])
    if request.method == "POST":
        form = MeetingForm(request.POST, types=types)
        if form.is_valid():
            try:
                services.meeting_update(meeting=meeting, by=request.user, **form.meeting_fields(org))
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("meetings:meeting_detail", pk=meeting.pk)
        status = 400
    else:
        form = MeetingForm(initial=MeetingForm.initial_for(meeting), types=types)
        status = 200
    return render(request, "meetings/log/edit.html", {"form": form, "meeting": meeting, "org": org},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_delete(request, pk):
    """GET asks for the reason and a confirmation; POST deletes the meeting and its files."""
    meeting = _writer(request, pk)
    org = meeting.organization
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        label = str(meeting)
        services.meeting_delete(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Deleted: %(meeting)s.") % {"meeting": label})
        return redirect("meetings:org_log", pk=org.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/log/delete.html",
                  {"form": form, "meeting": meeting, "org": org, "n_files": meeting.attachments.count()},
                  status=status)


# ---------------------------------------------------------------- files


@login_required
@csrf_exempt  # checked below, once the upload size limit is in place
@require_POST
def attachment_add(request, pk):
    meeting = _writer(request, pk)
    limiter = limit_uploads(request, settings.EVIDENCE_MAX_BYTES)
    try:
        request.POST  # noqa: B018 - parse now, so a broken body gets a message
    except MultiPartParserError:
        return _render_detail(request, meeting, True, status=400, upload_error=_(
            "The upload could not be read. Choose the files again."))
    return _attachment_add(request, meeting, limiter)


@csrf_protect
def _attachment_add(request, meeting, limiter):
    files = request.FILES.getlist("files")
    error = _("Choose a file to upload.") if not files and not limiter.exceeded else ""
    error = error or _check_files(files, limiter, room=services.MAX_ATTACHMENTS - meeting.attachments.count())
    if not error:
        try:
            with transaction.atomic():
                stored = _store(meeting, files, request.user)
        except EvidenceRejected as exc:
            error = exc.message
        except ValidationError as exc:
            error = "；".join(exc.messages)
    if error:
        return _render_detail(request, meeting, True, upload_error=error, status=400)
    messages.success(request, _("Uploaded %(names)s.") % {
        "names": "、".join(a.original_name for a in stored)})
    return redirect("meetings:meeting_detail", pk=meeting.pk)


# Shown in the page rather than saved: what a browser can display itself.
INLINE_TYPES = {"image/jpeg", "image/png", "application/pdf"}


@login_required
@require_GET
def attachment_download(request, pk):
    attachment, _can_write = access.get_attachment_for_user(request, pk)
    return checked_file_response(
        attachment.file, filename=attachment.original_name,
        content_type=attachment.content_type, inline=attachment.content_type in INLINE_TYPES,
    )


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment, can_write = access.get_attachment_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    meeting, name, stored = attachment.meeting, attachment.original_name, attachment.file
    with transaction.atomic():
        MeetingAttachment.objects.filter(pk=attachment.pk).delete()
        # The file goes once the row is surely gone.
        transaction.on_commit(lambda: stored.storage.delete(stored.name))
    messages.success(request, _("Deleted %(name)s.") % {"name": name})
    return redirect("meetings:meeting_detail", pk=meeting.pk)


# ---------------------------------------------------------------- the list and its export


def _filter_form(request):
    """The filter form with its choices: the committees in scope (one query) and the
    meeting types (one query)."""
    return LogFilterForm(request.GET, committees=committee_choices(request.user),
                         types=selectors.type_choices(request.user))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
@require_GET
def meeting_list(request):
    user = _reader(request)
    form = _filter_form(request)
    meetings = selectors.meetings_for_user(user=user, filters=form.filters())
    page_obj = Paginator(selectors.list_rows(meetings), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page_obj.object_list)
    names = committee_names() if form.has_committees else {}
    for m in rows:
        m.committee = committee_of(m.organization.path, names)
    return render(request, "meetings/log/list.html", {
        "form": form,
        "tab": "log",
        "meetings_tabs": selectors.tabs_context(user),
        "page_obj": page_obj,
        "meetings": rows,
        "show_committee": form.has_committees,
        "export_query": urlencode(form.params()),
        "querystring_without_page": _query_without_page(request),
        "can_log": access.can_log_any(user),
    })


@login_required
@require_GET
def meeting_export(request):
    return respond(request, meeting_export_table)


@exporter
def meeting_export_table(user, params):
    """The list's rows, all of them. Queries: the filter form's two, the scope's names,
    the committee names, the count, the rows (one, iterated)."""
    request = request_for(user, params)
    _reader(request)
    form = _filter_form(request)
    names = scope_names(user)
    scope = "、".join(names) if names else "全部"
    labels = form.labels()
    if labels:
        scope += "；筛选：" + "，".join(f"{k} {v}" for k, v in labels.items())
    return excel.meeting_export(
        queryset=selectors.meetings_for_user(user=user, filters=form.filters()), scope=scope)


# ---------------------------------------------------------------- one organization


def _month(request):
    """(year, month, problem): ?year=&month= or this month; a value that is not a month
    of a plausible year gives this month and says so."""
    today = timezone.localdate()
    raw_year, raw_month = request.GET.get("year", ""), request.GET.get("month", "")
    # A year alone (the year list's links) opens on its January, or on this month this year.
    year, month = today.year, (1 if raw_year and raw_year != str(today.year) else today.month)
    try:
        if raw_year:
            year = int(raw_year)
        if raw_month:
            month = int(raw_month)
        date(year, month, 1)
    except (ValueError, OverflowError):
        return today.year, today.month, True
    if not 2000 <= year <= today.year + 1:
        return today.year, today.month, True
    return year, month, False


def _shift(year, month, by):
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


@login_required
@require_GET
def org_log(request, pk):
    org, _access = get_org_for_user(
        request, pk, queryset=Organization.objects.only(
            "pk", "name", "code", "path", "depth", "level", "is_active", "member_count", "founded_on"))
    year, month, problem = _month(request)
    if problem:
        messages.warning(request, _("That is not a month we can show; here is this month."))
    meetings = selectors.org_year(org, year)
    by_day = {}
    for m in meetings:
        by_day.setdefault(m.held_on, []).append(m)
    today = timezone.localdate()
    weeks = [
        [{"day": d, "in_month": d.month == month, "is_today": d == today,
          "meetings": by_day.get(d, [])} for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    prev_year, prev_month = _shift(year, month, -1)
    next_year, next_month = _shift(year, month, 1)
    return render(request, "meetings/log/org.html", {
        "org": org,
        "year": year,
        "month": month,
        "weeks": weeks,
        "meetings": meetings,
        "n_month": sum(1 for m in meetings if m.held_on.month == month),
        "prev": {"year": prev_year, "month": prev_month},
        "next": {"year": next_year, "month": next_month} if (next_year, next_month) <= (
            today.year + 1, 12) else None,
        "this_month": (year, month) == (today.year, today.month),
        "can_log": org.is_active and org.level in selectors.LOGGING_LEVELS and access.can_log(
            request.user, org),
    })
