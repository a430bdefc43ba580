"""月调度 pages: the month's board (every committee side by side), one dispatch with its
notes, submission and history, and both as Excel.

Readers are county staff, committee staff and viewers (`access.can_read`); each
dispatch is reached through `access.get_dispatch_for_user` (404 outside the scope),
whose DispatchAccess says who may write (the committee's staff and county staff, while
a draft) and who may send a submitted one back (county staff). Writes go through
supervision.services; a refusal there comes back as the page with its message (400).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orgs.scoping import can_manage
from orgs.selectors.committees import scope_names

from .. import access, services
from .. import dispatch as dispatch_job
from .. import excel_dispatches as excel
from .. import selectors_dispatches as sel
from ..forms_dispatches import NotesForm, ReopenForm
from ..models import DispatchStatus


def _reader(request):
    if not access.can_read(request.user):
        raise PermissionDenied
    return request.user


def _month(request, user):
    """The board's month; a refused ?month= is said in a message, never an error page."""
    choice = sel.choose_month(user, request.GET.get("month", ""))
    if choice.malformed:
        messages.warning(request, _("“%(month)s” is not a month (use YYYY-MM); showing the latest "
                                    "month instead.") % {"month": choice.asked})
    elif choice.asked:
        messages.info(request, _("There is no dispatch for %(month)s in your scope; showing the "
                                 "latest month instead.") % {"month": choice.asked})
    return choice


# ---------------------------------------------------------------- the board


@login_required
@require_GET
def dispatch_board(request):
    user = _reader(request)
    choice = _month(request, user)
    dispatches = sel.dispatches_of_month(user, choice.period)
    rows = sel.board_rows(dispatches, timezone.localdate())
    return render(request, "supervision/dispatches/board.html", {
        "tab": "dispatches",
        "is_county_staff": access.is_county_staff(user),
        "period": choice.period,
        "months": choice.months,
        "rows": rows,
        "summary": sel.board_summary(rows),
        "totals": sel.board_totals(dispatches),
        "header": sel.board_header(),
    })


@login_required
@require_GET
def dispatch_board_export(request):
    user = _reader(request)
    choice = sel.choose_month(user, request.GET.get("month", ""))
    dispatches = sel.dispatches_of_month(user, choice.period)
    today = timezone.localdate()
    return excel.board_export(
        dispatches=dispatches, period=choice.period, scope="、".join(scope_names(user)) or "全部",
        late=lambda d: services.is_late(d, today),
    )


# ---------------------------------------------------------------- one dispatch


def _render_detail(request, dispatch, dispatch_access, *, notes_form=None, reopen_form=None,
                   status=200):
    user = request.user
    return render(request, "supervision/dispatches/detail.html", {
        "tab": "dispatches",
        "is_county_staff": access.is_county_staff(user),
        "dispatch": dispatch,
        "access": dispatch_access,
        "late": services.is_late(dispatch),
        "sections": sel.dispatch_sections(dispatch, sel.figure_links(user, dispatch)),
        "history": sel.dispatch_history(dispatch),
        "notes_form": notes_form or NotesForm(initial={"notes": dispatch.notes}),
        "reopen_form": reopen_form or ReopenForm(),
    }, status=status)


@login_required
@require_GET
def dispatch_detail(request, pk):
    dispatch, dispatch_access = access.get_dispatch_for_user(request, pk)
    return _render_detail(request, dispatch, dispatch_access)


def _writer(request, pk):
    """The dispatch and its access for a write; 403 for a reader who may not write. The
    committee's own staff on a dispatch submitted meanwhile get the page and a message."""
    dispatch, dispatch_access = access.get_dispatch_for_user(request, pk)
    if dispatch_access.can_write:
        return dispatch, dispatch_access, None
    if dispatch.status == DispatchStatus.SUBMITTED and can_manage(request.user, dispatch.committee):
        messages.error(request, _("This dispatch has been submitted and can no longer be changed; "
                                  "county staff can send it back."))
        return dispatch, dispatch_access, _render_detail(request, dispatch, dispatch_access, status=400)
    raise PermissionDenied


def _back(dispatch):
    return redirect("supervision:dispatch_detail", pk=dispatch.pk)


@login_required
@require_POST
def dispatch_notes(request, pk):
    dispatch, dispatch_access, refused = _writer(request, pk)
    if refused:
        return refused
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            services.dispatch_save_notes(dispatch=dispatch, by=request.user,
                                         notes=form.cleaned_data["notes"])
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("The notes were saved."))
            return _back(dispatch)
    else:
        messages.error(request, _("The notes were not saved: correct what is marked below."))
    return _render_detail(request, dispatch, dispatch_access, notes_form=form, status=400)


@login_required
@require_POST
def dispatch_submit(request, pk):
    """Submit, with the notes as they stand in the form (the button sits in the notes form)."""
    dispatch, dispatch_access, refused = _writer(request, pk)
    if refused:
        return refused
    form = NotesForm(request.POST)
    if form.is_valid():
        notes = form.cleaned_data["notes"] if "notes" in request.POST else None
        try:
            services.dispatch_submit(dispatch=dispatch, by=request.user, notes=notes)
        except ValidationError as error:
            form.add_error("notes", error.messages)
            messages.error(request, _("The dispatch was not submitted: %(reason)s")
                           % {"reason": "；".join(error.messages)})
        else:
            messages.success(request, _("The dispatch was submitted to the county."))
            return _back(dispatch)
    else:
        messages.error(request, _("The dispatch was not submitted: correct what is marked below."))
    dispatch.refresh_from_db(fields=["notes"])  # the service sets them before refusing
    return _render_detail(request, dispatch, dispatch_access, notes_form=form, status=400)


@login_required
@require_POST
def dispatch_recompile(request, pk):
    dispatch, _access, refused = _writer(request, pk)
    if refused:
        return refused
    dispatch_job.recompile(dispatch)
    messages.success(request, _("The figures were compiled again from today's data."))
    return _back(dispatch)


@login_required
@require_POST
def dispatch_reopen(request, pk):
    dispatch, dispatch_access = access.get_dispatch_for_user(request, pk)
    if not dispatch_access.can_reopen:
        if dispatch.status == DispatchStatus.DRAFT and access.is_county_staff(request.user):
            messages.error(request, _("Only a submitted dispatch can be sent back."))
            return _render_detail(request, dispatch, dispatch_access, status=400)
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.dispatch_reopen(dispatch=dispatch, by=request.user,
                                     reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            messages.success(request, _("The dispatch was sent back to the committee."))
            return _back(dispatch)
    messages.error(request, _("The dispatch was not sent back: say why."))

    return _render_detail(request, dispatch, dispatch_access, reopen_form=form, status=400)


@login_required
@require_GET
def dispatch_export(request, pk):
    dispatch, _access = access.get_dispatch_for_user(request, pk)
    return excel.pack_export(dispatch=dispatch, late=services.is_late(dispatch))
