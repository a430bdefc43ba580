"""The organization page's 评定 panel: current stars, the star history, the latest assessments.

Registered with orgs.panels in AssessmentsConfig.ready(), since orgs may not
import assessments. Two queries whatever the history's length: the star rows
(with who and which assessment) and the assessments (with their campaigns). The
organization itself was scope-checked by the page, and an organization's stars
and assessments are visible to whoever sees the organization.
"""

from orgs.models import Role
from orgs.scoping import path_in_scope

from . import selectors_review as selectors

TEMPLATE = "assessments/_org_panel.html"


def assessment_panel(request, org):
    history = selectors.org_star_history(org)
    assessments = selectors.org_latest_assessments(org)
    if not history and not assessments:
        return None  # e.g. the county committee itself: nothing to show
    current = history[0].stars if history else None
    for assessment in assessments:
        assessment.star_text = selectors.star_text(assessment.stars)
    return TEMPLATE, {
        "org": org,
        "current": current,
        "current_text": selectors.star_text(current),
        "history": history,
        "assessments": assessments,
        "can_revoke": bool(current)
        and path_in_scope(request.user, org.path, {Role.COUNTY_STAFF}),
    }


# ---------------------------------------------------------------- the assessment page

# The same arrangement for the assessment page: rectification shows the problems
# found in an assessment there without assessments importing it. A function takes
# (request, assessment) and returns None or (template_name, context), at a fixed
# number of queries; the assessment was scope-checked by the page.
_ASSESSMENT_PANELS = []


def register_assessment_panel(func):
    if func not in _ASSESSMENT_PANELS:
        _ASSESSMENT_PANELS.append(func)
    return func


def assessment_panels_for(request, assessment):
    shown = []
    for func in _ASSESSMENT_PANELS:
        panel = func(request, assessment)
        if panel is not None:
            shown.append(panel)
    return shown
