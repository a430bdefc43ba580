"""The organization page's 经费保障 panel: one year's promise, plan, payments and shortfall.

Registered with orgs.panels in FundingConfig.ready(), since orgs may not import
funding. The page has scope-checked the organization, and its money is read by
whoever reads it. Two queries whatever the number of years or payments: the years
that have allocations, and the totals of the year shown.
"""

from django.utils import timezone

from . import access, selectors

TEMPLATE = "funding/_org_panel.html"


def panel_year(years: list[int]) -> int | None:
    """This year if it has allocations, else the latest year that has (None: no year)."""
    this_year = timezone.localdate().year
    if this_year in years:
        return this_year
    return years[0] if years else None


def org_panel(request, org):
    years = selectors.organization_years(org)
    can_manage = access.can_manage_money(request.user, org)
    if not years:
        if not can_manage:
            return None
        return TEMPLATE, {"org": org, "year": None, "totals": None, "can_manage": True}
    year = panel_year(years)
    totals = selectors.money_totals(selectors.allocations_for_user(
        user=request.user, filters=selectors.MoneyFilters(year=year, organization=org),
    ))
    return TEMPLATE, {"org": org, "year": year, "totals": totals, "can_manage": can_manage}
