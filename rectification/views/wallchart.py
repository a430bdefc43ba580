"""挂图作战: the wall chart page and its Excel export.

Everyone logged in sees the tasks in their own scope (a committee its subtree, a
secretary their branch, a helper the paired organization); there is no object in
the URL, so nothing to 404 on: the scope is the filter. The reads and the layout are
in rectification/wallchart.py, the file in rectification/excel_wallchart.py.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import excel_wallchart as excel
from .. import wallchart as chart


def _filter_form(request):
    return chart.WallChartFilterForm(
        request.GET,
        committees=chart.committee_choices(request.user),
        categories=chart.category_choices(),
    )


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@login_required
@require_GET
def wall_chart(request):
    today = timezone.localdate()
    form = _filter_form(request)
    tasks = chart.chart_tasks(user=request.user, filters=form.filters(), today=today)
    info = chart.summary(tasks, today=today)
    line = chart.chart_timeline(info, today=today)
    groups, page = [], None
    if info.tasks:
        page = Paginator(chart.organizations(tasks), chart.ORGS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        groups = chart.page_rows(tasks, org_rows=list(page.object_list), line=line, today=today)
    return render(
        request,
        "rectification/wallchart/chart.html",
        {
            "form": form,
            "summary": info,
            "line": line,
            "weeks": line.weeks,
            "groups": groups,
            "page_obj": page,
            "legend": chart.legend(),
            "scope_names": chart.scope_names(request.user),
            "max_tasks_per_org": chart.MAX_TASKS_PER_ORG,
            "export_query": urlencode(form.query()),
            "querystring_without_page": _query_without_page(request),
        },
    )


@login_required
@require_GET
def wall_chart_export(request):
    today = timezone.localdate()
    form = _filter_form(request)
    tasks = chart.chart_tasks(user=request.user, filters=form.filters(), today=today)
    line = chart.chart_timeline(chart.summary(tasks, today=today), today=today)
    scope = excel.scope_text(scope_names=chart.scope_names(request.user), form=form, line=line)
    return excel.export_response(tasks=tasks, line=line, today=today, scope=scope)
