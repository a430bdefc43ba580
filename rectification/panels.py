"""Rectification on the organization and assessment pages.

orgs and assessments may not import rectification (dependencies point one way),
so RectificationConfig.ready() registers these with orgs.panels and
assessments.panels. The pages have scope-checked the organization or assessment;
everything under an organization is visible to whoever sees it.

Organization page: the open tasks and latest problems of its subtree, two queries.
Assessment page: the problems found in it with their task counts, one query, and for
staff over the organization a button to make them now (the hourly sync does it
anyway).
"""

from django.urls import reverse

from .access import can_manage
from .selectors_work import PANEL_ROWS, assessment_problems, subtree_open_tasks, subtree_problems
from .services import DONE_STATUSES

ORG_TEMPLATE = "rectification/work/_org_panel.html"
ASSESSMENT_TEMPLATE = "rectification/work/_assessment_panel.html"


def org_panel(request, org):
    tasks = subtree_open_tasks(org)
    problems = subtree_problems(org)
    manage = can_manage(request.user, org)
    if not tasks and not problems and not manage:
        return None
    return ORG_TEMPLATE, {
        "org": org,
        "tasks": tasks[:PANEL_ROWS],
        "more_tasks": len(tasks) > PANEL_ROWS,
        "problems": problems[:PANEL_ROWS],
        "more_problems": len(problems) > PANEL_ROWS,
        "can_add": manage and org.is_active,
        "add_url": f"{reverse('rectification:problem_create')}?org={org.pk}",
    }


def assessment_panel(request, assessment):
    done = assessment.status in DONE_STATUSES
    if not done:
        return None  # problems come from a reviewed or accepted assessment only
    problems = assessment_problems(assessment)
    return ASSESSMENT_TEMPLATE, {
        "assessment": assessment,
        "problems": problems,
        "can_generate": can_manage(request.user, assessment.organization),
    }
