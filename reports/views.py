"""The dashboard (领导驾驶舱) over a reader's scope, its print view and its tables' exports."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exports.services import respond

from . import excel, selectors
from .dashboard import add_links, charts


def dashboard_data(request) -> dict:
    """Everything the dashboard shows, in a fixed number of queries."""
    # The same scope and campaign as the exports of its tables (reports/excel.py).
    scope, choice, today = selectors.dashboard_frame(request)
    campaign = choice.campaign
    data = {
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
    add_links(data)
    data["years"] = sorted({c.year for c in choice.campaigns} | {choice.year, today.year}, reverse=True)
    return data


@login_required
@require_GET
def dashboard(request):
    data = dashboard_data(request)
    data["charts"] = charts(data)
    return render(request, "reports/dashboard.html", data)


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
