import pytest
from django.core.exceptions import ValidationError

from orgs.models import Level, Organization
from orgs.services import org_create, org_move, org_set_active, org_update

pytestmark = pytest.mark.django_db


def test_a_branch_cannot_hold_a_committee(county, people):
    with pytest.raises(ValidationError):
        org_create(parent=county.branch_a1, by=people.alice, code="X1", name="错", level=Level.COMMITTEE)
    assert not Organization.objects.filter(code="X1").exists()


def test_a_committee_may_hold_a_committee(county, people):
    org = org_create(parent=county.town_a, by=people.alice, code="X2", name="镇直机关党委",
                     level=Level.COMMITTEE)
    assert Organization.objects.get_parent(org) == county.town_a


def test_no_move_into_own_subtree(county, people):
    with pytest.raises(ValidationError):
        org_move(org=county.town_a, new_parent=county.branch_a1, by=people.alice)


def test_level_change_may_not_strand_children(county, people):
    with pytest.raises(ValidationError):
        org_update(org=county.town_a, by=people.alice, fields={"level": Level.BRANCH})


def test_move_between_long_names_keeps_a_readable_reason(county, people):
    long_a = org_create(parent=county.county, by=people.alice, code="LA", name="甲" * 100,
                        level=Level.COMMITTEE)
    long_b = org_create(parent=county.county, by=people.alice, code="LB", name="乙" * 100,
                        level=Level.COMMITTEE)
    branch = org_create(parent=long_a, by=people.alice, code="LX", name="长名支部", level=Level.BRANCH)
    org_move(org=branch, new_parent=long_b, by=people.alice)
    record = branch.history.first()
    assert record.history_user == people.alice
    assert len(record.history_change_reason) <= 100
    assert Organization.objects.get_parent(branch) == long_b


def test_deactivate_needs_children_gone_first(county, people):
    with pytest.raises(ValidationError):
        org_set_active(org=county.town_a, active=False, by=people.alice)
    org_set_active(org=county.branch_a1, active=False, by=people.alice)
    county.branch_a1.refresh_from_db()
    assert not county.branch_a1.is_active
