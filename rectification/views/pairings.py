"""3+1 pairing pages: the list with the conversion rate per committee, its export, creating
a pairing, one pairing with its milestones, visits and outcome, and the small writes.

Every view reaches a pairing through access.get_pairing_for_user (404 outside the scope;
helpers see theirs through the helper role pairing_create gave them). County staff over
the organization manage it (can_manage_pairings); managers and the three helpers add
visits and mark milestones done; everyone else who sees it reads it (403 on writes).
A page view never writes: the outcome is computed on the fly and stored by the job.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.models import Organization, Role
from orgs.scoping import has_role, scope_q

from .. import excel_pairings
from .. import selectors_pairings as sel
from ..access import can_manage_pairings, get_pairing_for_user
from ..forms_pairings import (
    MilestoneForm,
    MilestoneFormSet,
    PairingCreateForm,
    PairingEditForm,
    PairingFilterForm,
    VisitForm,
    check_milestones_against,
    measure_sections,
    milestone_add,
    milestone_mark_done,
    milestone_rows,
)
from ..models import Milestone, PairingStatus

PAGE_SIZE = 50


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _error_text(error):
    return "；".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _for_manager(request, pk):
    pairing, can_manage, _is_helper = get_pairing_for_user(request, pk)
    if not can_manage:
        raise PermissionDenied
    return pairing


def _for_worker(request, pk):
    """Managers and the three helpers log visits and tick milestones."""
    pairing, can_manage, is_helper = get_pairing_for_user(request, pk)
    if not (can_manage or is_helper):
        raise PermissionDenied
    return pairing


def _closed(request, pairing):
    """An ended pairing takes no more visits or milestones: say so (400), change nothing."""
    if pairing.status != PairingStatus.ENDED:
        return None
    return render(request, "rectification/pairings/refused.html", {
        "pairing": pairing, "message": _("This pairing has ended; reopen it to add to it."),
    }, status=400)


def _filtered(request):
    """(form, filters, rates, totals): the list's and the export's common reads."""
    rates, totals = sel.rates_by_committee(user=request.user)
    form = PairingFilterForm(request.GET, committees=rates,
                             helpers=sel.helper_filter_choices(user=request.user))
    f = form.filters()
    committee = None
    if f.get("committee"):
        committee = Organization.objects.filter(pk=f["committee"]).only("pk", "path", "name").first()
    qs = sel.pairings_for_user(user=request.user, committee=committee,
                               status=f.get("status", ""), helper=f.get("helper"))
    return form, qs, rates, totals


# ---------------------------------------------------------------- the list and its export


@login_required
@require_GET
def pairing_list(request):
    form, qs, rates, totals = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rectification/pairings/list.html", {
        "form": form,
        "page_obj": page,
        "pairings": list(page.object_list),
        "rates": rates,
        "totals": totals,
        "can_create": has_role(request.user, Role.COUNTY_STAFF),
        "querystring_without_page": _query_without_page(request),
        "export_query": request.GET.urlencode(),
    })


@login_required
@require_GET
def pairing_export(request):
    form, qs, rates, totals = _filtered(request)
    return excel_pairings.export_response(
        pairings=sel.export_rows(qs), rates=rates, totals=totals,
        scope=excel_pairings.scope_text(names=sel.scope_names(request.user),
                                        filters=excel_pairings.filter_labels(form)),
    )


# ---------------------------------------------------------------- create


@login_required
@require_http_methods(["GET", "POST"])
def pairing_create(request):
    if not has_role(request.user, Role.COUNTY_STAFF):
        raise PermissionDenied
    organization = None
    org_pk = request.GET.get("org")
    if org_pk:
        try:
            organization = Organization.objects.filter(scope_q(request.user)).get(pk=org_pk)
        except (Organization.DoesNotExist, ValueError, TypeError):
            raise Http404("No such organization") from None
        if not can_manage_pairings(request.user, organization):
            raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = PairingCreateForm(data, user=request.user, organization=organization)
    timeline = MilestoneFormSet(data, prefix="milestones", form_kwargs={"optional": True})
    context = {"form": form, "timeline": timeline, "organization": organization}
    has_choices = form.fields["organization"].queryset.exists()
    if organization is not None and not has_choices:
        # Not lagging in its latest accepted assessment: nothing to pair.
        context["not_lagging"] = True
        return render(request, "rectification/pairings/create.html", context, status=400)
    context["no_choices"] = not has_choices
    if request.method == "POST":
        if form.is_valid() and timeline.is_valid() and check_milestones_against(
            timeline, form.cleaned_data["target_date"]
        ):
            try:
                pairing = form.save(by=request.user, milestones=milestone_rows(timeline))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _(
                    "The pairing of %(org)s was created; the three helpers now see it."
                ) % {"org": pairing.organization.name})
                return redirect("rectification:pairing_detail", pk=pairing.pk)
        return render(request, "rectification/pairings/create.html", context, status=400)
    return render(request, "rectification/pairings/create.html", context)


# ---------------------------------------------------------------- one pairing


@login_required
@require_GET
def pairing_detail(request, pk):
    pairing, can_manage, is_helper = get_pairing_for_user(request, pk)
    outcome = sel.pairing_outcome(pairing)
    milestones = sel.milestones_of(pairing)
    tasks, open_count = sel.open_tasks(user=request.user, organization=pairing.organization)
    can_work = (can_manage or is_helper) and pairing.status != PairingStatus.ENDED
    return render(request, "rectification/pairings/detail.html", {
        "pairing": pairing,
        "baseline": sel.baseline_of(pairing),
        "outcome": outcome,
        "shown_status": sel.shown_status(pairing, outcome),
        "measures": measure_sections(pairing.measures),
        "milestones": milestones,
        "milestones_done": sum(1 for m in milestones if m.done_on),
        "visits": list(pairing.visits.select_related("by")),
        "tasks": tasks,
        "open_count": open_count,
        "can_manage": can_manage,
        "can_work": can_work,
        "is_helper": is_helper,
        "visit_form": VisitForm(pairing=pairing) if can_work else None,
        "today": timezone.localdate(),
    })


def _form_page(request, *, pairing, form, template, save, done_message):
    """GET shows the form; a valid POST runs `save()` (which may raise the service's
    ValidationError onto the form) and returns to the pairing; anything else is a 400."""
    context = {"form": form, "pairing": pairing}
    if request.method != "POST":
        return render(request, template, context)
    if form.is_valid():
        try:
            save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done_message)
            return redirect("rectification:pairing_detail", pk=pairing.pk)
    return render(request, template, context, status=400)


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def pairing_edit(request, pk):
    pairing = _for_manager(request, pk)
    form = PairingEditForm(_data(request), pairing=pairing)
    return _form_page(request, pairing=pairing, form=form,
                      template="rectification/pairings/edit.html",
                      save=lambda: form.save(by=request.user), done_message=_("Changes saved."))


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk):
    pairing = _for_worker(request, pk)
    closed = _closed(request, pairing)
    if closed:
        return closed
    form = VisitForm(_data(request), pairing=pairing)
    return _form_page(request, pairing=pairing, form=form,
                      template="rectification/pairings/visit_form.html",
                      save=lambda: form.save(by=request.user),
                      done_message=_("The visit was logged."))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_create(request, pk):
    pairing = _for_manager(request, pk)
    closed = _closed(request, pairing)
    if closed:
        return closed
    form = MilestoneForm(_data(request), target_date=pairing.target_date)
    return _form_page(
        request, pairing=pairing, form=form, template="rectification/pairings/milestone_form.html",
        save=lambda: milestone_add(pairing=pairing, title=form.cleaned_data["title"],
                                   due_on=form.cleaned_data["due_on"]),
        done_message=_("The milestone was added."),
    )


@login_required
@require_POST
def milestone_done(request, pk):
    # The milestone is found through the pairings the user sees (404 otherwise), then
    # the pairing's own access helper decides who may tick it.
    try:
        milestone = Milestone.objects.filter(
            scope_q(request.user, "pairing__organization__")
        ).only("pk", "pairing_id", "title").get(pk=pk)
    except (Milestone.DoesNotExist, ValueError, TypeError):
        raise Http404("No such milestone") from None
    pairing = _for_worker(request, milestone.pairing_id)
    closed = _closed(request, pairing)
    if closed:
        return closed
    if milestone_mark_done(milestone=milestone):
        messages.success(request, _("“%(title)s” is done.") % {"title": milestone.title})
    else:
        messages.info(request, _("“%(title)s” was already done.") % {"title": milestone.title})
    return redirect("rectification:pairing_detail", pk=pairing.pk)
