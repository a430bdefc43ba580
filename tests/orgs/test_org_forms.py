"""The organization forms: what they offer each user and how they turn bad input away."""

import pytest
from django.http import QueryDict

from orgs.forms import (
    DETAIL_FIELDS,
    OrgDetailsForm,
    OrgForm,
    OrgListFilterForm,
    OrgMoveForm,
    TreeFilterForm,
)
from orgs.models import Level

from ..factories import OrganizationFactory, category

pytestmark = pytest.mark.django_db


def test_new_org_may_only_take_a_level_its_parent_can_hold(county):
    under_committee = {v for v, _ in OrgForm(parent=county.town_a).fields["level"].choices if v}
    assert Level.BRANCH in under_committee and Level.GENERAL_BRANCH in under_committee
    assert Level.COUNTY not in under_committee
    assert "reason" not in OrgForm(parent=county.town_a).fields  # nothing to explain yet


def test_details_form_has_only_the_secretarys_fields(county):
    form = OrgDetailsForm(instance=county.branch_a1)
    assert set(form.fields) == set(DETAIL_FIELDS) | {"reason"}


def test_details_form_rejects_bad_figures(county):
    data = {"member_count": "-1", "venue_area": "-5", "secretary_phone": "abc", "founded_on": "2020-13-45"}
    form = OrgDetailsForm(data, instance=county.branch_a1)
    assert not form.is_valid()
    assert set(form.errors) == {"member_count", "venue_area", "secretary_phone", "founded_on"}


def test_list_filter_defaults_to_active_and_drops_bad_values(people, county):
    kwargs = OrgListFilterForm(QueryDict(""), user=people.alice).selector_kwargs()
    assert kwargs["active"] is True and kwargs["order"] == ("path",)
    form = OrgListFilterForm(
        QueryDict("category=x&level=nope&sort=evil&active=all&demonstration=1&q=%E4%B8%9C"),
        user=people.alice,
    )
    kwargs = form.selector_kwargs()
    assert kwargs["category"] is None and kwargs["level"] == "" and kwargs["order"] == ("path",)
    assert kwargs["active"] is None and kwargs["demonstration"] is True and kwargs["q"] == "东"
    assert set(form.errors) == {"category", "level", "sort"}


def test_list_committee_filter_offers_committees_in_scope(people, county):
    field = OrgListFilterForm(QueryDict(""), user=people.bob).fields["committee"]
    assert [o.code for o in field.queryset] == ["A"]
    field = OrgListFilterForm(QueryDict(""), user=people.alice).fields["committee"]
    assert [o.code for o in field.queryset] == ["A", "B"]


def test_tree_filter_knows_when_it_searches(county):
    assert not TreeFilterForm(QueryDict("inactive=1")).is_search()
    assert TreeFilterForm(QueryDict(f"category={category().pk}")).is_search()
    assert not TreeFilterForm(QueryDict("level=bogus")).is_search()


def test_move_targets_are_containers_in_the_managers_scope(people, county):
    general = OrganizationFactory(parent=county.town_a, code="G", level=Level.GENERAL_BRANCH)
    choices = OrgMoveForm(org=county.branch_a1, user=people.bob).fields["new_parent"].queryset
    # Not branches, not the current parent, nothing outside bob's town.
    assert [o.code for o in choices] == ["G"]
    choices = OrgMoveForm(org=county.town_a, user=people.alice).fields["new_parent"].queryset
    # Not the org itself nor anything below it.
    assert [o.code for o in choices] == ["B"]
    assert general.pk not in {o.pk for o in choices}


def test_move_form_applies_the_tree_rules(people, county):
    general = OrganizationFactory(parent=county.town_b, code="G", level=Level.GENERAL_BRANCH)
    form = OrgMoveForm({"new_parent": general.pk}, org=county.town_a, user=people.alice)
    assert not form.is_valid() and "new_parent" in form.errors
    form = OrgMoveForm({"new_parent": county.town_b.pk}, org=county.town_a, user=people.alice)
    assert form.is_valid()


def test_export_params_repeat_the_lists_filters(people, county):
    form = OrgListFilterForm(
        QueryDict(f"q=东&committee={county.town_a.pk}&sort=-code&page=3&level=bad"), user=people.alice
    )
    assert form.export_params() == {"q": "东", "committee": county.town_a.pk, "active": "1"}
    form = OrgListFilterForm(QueryDict("active=all&demonstration=0"), user=people.alice)
    assert form.export_params() == {"active": "all", "demonstration": "0"}
