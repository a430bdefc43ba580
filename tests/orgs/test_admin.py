"""The admin shows non-superusers their scope only, and writes through the services."""

import pytest
from django.urls import reverse

from orgs.models import Assignment, Level, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    for user in (people.alice, people.bob, people.victor):
        user.is_staff = True
        user.save()
    return people


def test_changelist_is_scoped(client_for, staff):
    client = client_for(staff.bob)
    response = client.get(reverse("admin:orgs_organization_changelist"))
    assert response.status_code == 200
    shown = {org.code for org in response.context["cl"].result_list}
    assert shown == {"A", "A1", "A2"}


def test_out_of_scope_object_is_not_reachable(client_for, staff, county):
    client = client_for(staff.bob)
    url = reverse("admin:orgs_organization_change", args=[county.branch_b1.pk])
    response = client.get(url)
    # The admin answers an object outside the queryset with a redirect to its index.
    assert response.status_code == 302
    response = client.get(reverse("admin:orgs_organization_history", args=[county.branch_b1.pk]))
    assert response.status_code == 404


def test_viewer_can_look_but_not_change(client_for, staff, county):
    client = client_for(staff.victor)
    url = reverse("admin:orgs_organization_change", args=[county.branch_a1.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "改名"})
    assert response.status_code == 403
    county.branch_a1.refresh_from_db()
    assert county.branch_a1.name == "东坝村党支部"


def test_create_through_admin_keeps_levels_and_history(client_for, staff, county):
    client = client_for(staff.bob)
    url = reverse("admin:orgs_organization_add")
    data = {
        "parent": county.town_a.pk, "code": "A3", "name": "新建村党支部", "level": Level.BRANCH,
        "member_count": 15, "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(code="A3")
    assert Organization.objects.get_parent(org) == county.town_a
    record = org.history.first()
    assert record.history_user == staff.bob

    # A branch cannot hold a committee.
    data.update(parent=county.branch_a1.pk, code="A4", level=Level.COMMITTEE)
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Organization.objects.filter(code="A4").exists()


def test_move_through_admin_is_limited_to_manage_scope(client_for, staff, county):
    client = client_for(staff.bob)
    url = reverse("admin:orgs_organization_change", args=[county.branch_a2.pk])
    data = {
        "parent": county.town_b.pk, "code": "A2", "name": "柳树村党支部", "level": Level.BRANCH,
        "category": county.branch_a2.category_id, "secretary_name": "张三",
        "secretary_phone": "13800000000", "member_count": 12, "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # town B is not a valid choice for bob
    county.branch_a2.refresh_from_db()
    assert county.branch_a2.path.startswith(county.town_a.path)

    client = client_for(staff.alice)
    response = client.post(url, data)
    assert response.status_code == 302
    county.branch_a2.refresh_from_db()
    assert county.branch_a2.path.startswith(county.town_b.path)
    assert "西湖乡党委" in county.branch_a2.history.first().history_change_reason


def test_assignments_admin_is_county_staff_only_for_writes(client_for, staff, county, people):
    url = reverse("admin:orgs_assignment_changelist")
    response = client_for(staff.bob).get(url)
    assert response.status_code == 200
    shown = {a.organization.code for a in response.context["cl"].result_list}
    assert shown <= {"A", "A1", "A2"}
    assert client_for(staff.bob).get(reverse("admin:orgs_assignment_add")).status_code == 403
    response = client_for(staff.alice).post(
        reverse("admin:orgs_assignment_add"),
        {"user": people.nobody.pk, "organization": county.branch_b1.pk, "role": "viewer"},
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(user=people.nobody).count() == 1


def test_user_admin_scoped_and_no_privilege_escalation(client_for, staff, people):
    client = client_for(staff.bob)
    assert client.get(reverse("admin:orgs_user_changelist")).status_code == 403
    client = client_for(staff.alice)
    response = client.get(reverse("admin:orgs_user_changelist"))
    names = {u.username for u in response.context["cl"].result_list}
    assert "root" not in names and "nobody" not in names and "bob" in names
    url = reverse("admin:orgs_user_change", args=[people.dave.pk])
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
