import pytest

from orgs.models import Organization
from orgs.scoping import can_edit_details, can_manage, scope_paths

pytestmark = pytest.mark.django_db


def codes(user):
    return set(Organization.objects.visible_to(user).values_list("code", flat=True))


def test_county_staff_see_the_whole_county(people):
    assert codes(people.alice) == {"C", "A", "B", "A1", "A2", "B1"}


def test_committee_staff_see_their_subtree_only(people):
    assert codes(people.bob) == {"A", "A1", "A2"}
    assert codes(people.charlie) == {"B", "B1"}


def test_secretary_sees_own_branch_only(people):
    assert codes(people.dave) == {"A1"}
    assert codes(people.erin) == {"A2"}


def test_viewer_and_helper(people):
    assert codes(people.victor) == {"A", "A1", "A2"}
    assert codes(people.harry) == {"A2"}


def test_superuser_sees_all_and_nobody_sees_nothing(people):
    assert scope_paths(people.root) is None
    assert codes(people.root) == {"C", "A", "B", "A1", "A2", "B1"}
    assert codes(people.nobody) == set()


def test_scope_follows_a_move(people, county):
    from orgs.services import org_move

    org_move(org=county.branch_a2, new_parent=county.town_b, by=people.alice)
    people.bob.refresh_from_db()  # a fresh object: grants are cached per request
    assert codes(people.bob) == {"A", "A1"}
    assert codes(people.charlie) == {"B", "B1", "A2"}


def test_write_permissions_follow_role_and_scope(people, county):
    assert can_manage(people.alice, county.branch_b1)
    assert can_manage(people.bob, county.branch_a1)
    assert not can_manage(people.bob, county.branch_b1)
    assert not can_manage(people.victor, county.branch_a1)
    assert not can_manage(people.dave, county.branch_a1)
    assert can_edit_details(people.dave, county.branch_a1)
    assert not can_edit_details(people.dave, county.branch_a2)
    assert not can_edit_details(people.harry, county.branch_a2)
