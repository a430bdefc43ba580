"""Campaign pages: the list, create and edit, the detail with progress, the launch
and its progress bar, the campaign's assessments, and the results export.

Every view reaches a campaign through access.get_campaign_for_user (404 when it does
not touch the user's scope) and then checks who may read campaign pages (staff and
viewers; 403 for the rest) or change them (can_manage: county staff over its scope).
Figures are counted over the assessments in the user's own scope (the selectors).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exports.registry import exporter, request_for
from exports.services import respond
from orgs.models import Organization, Role
from orgs.scoping import has_role, scope_paths

from .. import excel, services
from .. import selectors_campaigns as sel
from ..access import get_campaign_for_user
from ..forms_campaigns import (
    AssessmentFilterForm,
    CampaignForm,
    CampaignListFilterForm,
    PhaseFormSet,
    save_campaign,
)
from ..models import CampaignStatus

PAGE_SIZE = 25
ASSESSMENT_PAGE_SIZE = 50
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.ACTIVE)


def _query_without_page(request) -> str:
    """The current GET parameters less `page`, ready to take `page=N` (pagination.html)."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _error_text(error):
    return "；".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _campaign_for_reader(request, pk):
    """(campaign, can_manage): 404 outside the scope, 403 for who does not read campaigns."""
    campaign, can_manage = get_campaign_for_user(request, pk)
    if not sel.can_browse_campaigns(request.user):
        raise PermissionDenied
    return campaign, can_manage


def _campaign_for_manager(request, pk):
    campaign, can_manage = get_campaign_for_user(request, pk)
    if not can_manage:
        raise PermissionDenied
    return campaign


# ---------------------------------------------------------------- list, create, edit


@login_required
@require_GET
def campaign_list(request):
    if not sel.can_browse_campaigns(request.user):
        # A secretary's campaigns are their own self-checks.
        if has_role(request.user, Role.SECRETARY):
            return redirect("assessments:my_tasks")
        raise PermissionDenied
    form = CampaignListFilterForm(request.GET, years=sel.campaign_years(user=request.user))
    f = form.filters()
    page = Paginator(
        sel.campaigns_for_user(
            user=request.user, q=f.get("q", ""), year=f.get("year"), status=f.get("status", "")
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/campaigns/list.html",
        {
            "form": form,
            "page_obj": page,
            "campaigns": list(page.object_list),
            "can_create": sel.can_create_campaigns(request.user),
            "querystring_without_page": _query_without_page(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    if not sel.can_create_campaigns(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = form.create(by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Draft campaign %(name)s was created with the default phases; check them, "
                      "then launch it.") % {"name": campaign.name},
                )
                return redirect("assessments:campaign_detail", pk=campaign.pk)
        return render(request, "assessments/campaigns/form.html",
                      {"form": form, "campaign": None}, status=400)
    return render(request, "assessments/campaigns/form.html", {"form": form, "campaign": None})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = _campaign_for_manager(request, pk)
    if campaign.status not in EDITABLE:
        messages.error(
            request,
            _("A campaign that is %(status)s cannot be changed.")
            % {"status": campaign.get_status_display()},
        )
        return redirect("assessments:campaign_detail", pk=campaign.pk)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, instance=campaign, user=request.user)
    phases = PhaseFormSet(data, instance=campaign, prefix="phases")
    context = {"form": form, "phases": phases, "campaign": campaign}
    if request.method == "POST":
        if form.is_valid() and phases.is_valid():
            try:
                save_campaign(form=form, phases=phases, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("assessments:campaign_detail", pk=campaign.pk)
        return render(request, "assessments/campaigns/form.html", context, status=400)
    return render(request, "assessments/campaigns/form.html", context)


# ---------------------------------------------------------------- detail and launch


@login_required
@require_GET
def campaign_detail(request, pk):
    campaign, can_manage = _campaign_for_reader(request, pk)
    committees = sel.committee_choices(campaign=campaign, user=request.user)
    by_committee = sel.progress_by_committee(
        campaign=campaign, user=request.user, committees=committees
    )
    by_category = sel.progress_by_category(campaign=campaign, user=request.user)
    today = timezone.localdate()
    phases = list(campaign.phases.all())
    for phase in phases:
        phase.is_current = phase.starts_on <= today <= phase.ends_on
        phase.is_past = phase.ends_on < today
    return render(
        request,
        "assessments/campaigns/detail.html",
        {
            "campaign": campaign,
            "categories": list(campaign.categories.all()),
            "phases": phases,
            "by_committee": by_committee,
            "committee_totals": sel.totals(by_committee),
            "by_category": by_category,
            "can_edit": can_manage and campaign.status in EDITABLE,
            "can_launch": can_manage and campaign.status in EDITABLE,
            "past_deadline": campaign.self_check_deadline < today,
            "spot_checks": sel.campaign_spot_checks(campaign),
            "can_manage": can_manage,
        },
    )


@login_required
@require_POST
def campaign_launch(request, pk):
    campaign = _campaign_for_manager(request, pk)
    was_active = campaign.status == CampaignStatus.ACTIVE
    before = campaign.assessments.count() if was_active else 0
    try:
        outcome = services.campaign_launch(campaign=campaign, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("assessments:campaign_detail", pk=campaign.pk)
    if outcome == "queued":
        messages.info(
            request, _("The launch runs in the background; this page shows how far it has got.")
        )
    else:
        added = campaign.assessments.count() - before
        messages.success(
            request,
            ngettext(
                "Launched: %(n)d assessment was created.",
                "Launched: %(n)d assessments were created.",
                added,
            ) % {"n": added},
        )
    return redirect("assessments:campaign_detail", pk=campaign.pk)


@login_required
@require_GET
def launch_progress(request, pk):
    """The progress bar, polled by htmx every second while the launch runs.

    When a poll finds the launch over, the page reloads (HX-Refresh) so its
    progress tables show the new assessments; the fragment then no longer polls.
    """
    campaign, _can_manage = _campaign_for_reader(request, pk)
    response = render(
        request, "assessments/campaigns/_launch_progress.html", {"campaign": campaign}
    )
    if request.GET.get("polling") and campaign.status != CampaignStatus.LAUNCHING:
        response["HX-Refresh"] = "true"
    return response


# ---------------------------------------------------------------- the assessments


def _assessment_filter(request, campaign):
    committees = sel.committee_choices(campaign=campaign, user=request.user)
    form = AssessmentFilterForm(
        request.GET, committees=committees, categories=sel.categories()
    )
    return form, committees


@login_required
@require_GET
def campaign_assessments(request, pk):
    campaign, _can_manage = _campaign_for_reader(request, pk)
    form, committees = _assessment_filter(request, campaign)
    qs = sel.campaign_assessments(campaign=campaign, user=request.user, **form.selector_kwargs())
    page = Paginator(qs, ASSESSMENT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = sel.attach_committees(
        campaign=campaign, assessments=list(page.object_list), committees=committees
    )
    past_deadline = campaign.self_check_deadline < timezone.localdate()
    for row in rows:
        row.is_overdue = past_deadline and row.status in services.FILLABLE
    return render(
        request,
        "assessments/campaigns/assessments.html",
        {
            "campaign": campaign,
            "form": form,
            "page_obj": page,
            "rows": rows,
            "export_query": urlencode(form.export_params()),
            "querystring_without_page": _query_without_page(request),
        },
    )


def _scope_names(user, campaign):
    """The names of the user's scope roots inside the campaign's scope; [] when the
    user sees all of it. One query for every user with a scope, whether it holds the
    campaign's or lies inside it, so an export costs the same at every scope."""
    paths = scope_paths(user)
    if paths is None:
        return []
    root = campaign.organization.path
    names = list(
        Organization.objects.filter(path__in=paths).order_by("path").values_list("path", "name")
    )
    if any(root.startswith(path) for path, _name in names):
        return []
    return [name for path, name in names if path.startswith(root)]


@login_required
@require_GET
def campaign_export(request, pk):
    return respond(request, campaign_export_table, campaign=pk)


@exporter
def campaign_export_table(user, params):
    """The campaign's results over the user's scope, with the assessments page's filters."""
    request = request_for(user, params)
    campaign, _can_manage = _campaign_for_reader(request, params.get("campaign"))
    form, _committees = _assessment_filter(request, campaign)
    kwargs = form.selector_kwargs()
    kwargs.pop("sort")
    qs = sel.campaign_assessments(campaign=campaign, user=user, **kwargs)
    dimension_names = list(
        campaign.standard_set.dimensions.order_by("ordering", "pk").values_list("name", flat=True)
    )
    scope = excel.scope_text(
        campaign=campaign,
        scope_names=_scope_names(user, campaign),
        filters=excel.filter_labels(form),
    )
    return excel.export_table(
        campaign=campaign, assessments=qs, dimension_names=dimension_names, scope=scope
    )
