"""The dashboard (领导驾驶舱) over a reader's scope, its print view and its tables' exports."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from exports.services import respond

from . import excel, selectors
from .scope import resolve_scope


def _int(raw):
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def dashboard_data(request) -> dict:
    """Everything the dashboard shows, in a fixed number of queries."""
    scope = resolve_scope(request)
    today = timezone.localdate()
    choice = selectors.choose_campaign(
        scope, campaign_id=_int(request.GET.get("campaign")), year=_int(request.GET.get("year")),
        today=today,
    )
    campaign = choice.campaign
    return {
        "scope": scope,
        "choice": choice,
        "campaign": campaign,
        "today": today,
        "progress": selectors.progress(scope, campaign),
        "grades": selectors.grades(scope, campaign, choice.previous),
        "stars": selectors.stars(scope, choice.year),
        "weakest": selectors.weakest(scope, campaign),
        "gap": selectors.score_gap(scope, campaign),
        "rectification": selectors.rectification(scope, today),
        "pairings": selectors.pairings(scope, today),
        "funding": selectors.funding(scope, choice.year),
    }


@login_required
@require_GET
def dashboard(request):
    return render(request, "reports/dashboard.html", dashboard_data(request))


@login_required
@require_GET
def dashboard_print(request):
    """A4 for a meeting: the same figures, tables instead of charts, no navigation."""
    return render(request, "reports/dashboard_print.html", dashboard_data(request))


@login_required
@require_GET
def dashboard_export(request):
    """?table=<panel> with the dashboard's own ?org=, ?campaign=, ?year=."""
    return respond(request, excel.dashboard_table)
