"""The standards admin: scoped like the pages, frozen sets read-only, actions through services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orgs.models import Level, Role
from standards import services
from standards.models import SetStatus, StandardItem, StandardSet

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    for user in (people.alice, people.bob):
        user.is_staff = True
        user.save()
    return people


def make_set(county, by, code="wuhua", publish=False):
    standard_set = services.set_create(organization=county.county, code=code, name="五化标准",
                                       year=2026, by=by)
    services.set_fill(standard_set=standard_set, by=by, items=[
        services.ItemSpec(dimension="阵地建设规范化", code="ZD-01", requirement="活动场所面积",
                          kind="number", comparator=">=", threshold=Decimal("70"), unit="㎡",
                          max_score=Decimal("5"), category_ids=[category("village").pk],
                          conditions=[{"field": "member_count", "op": ">=", "value": "10"}]),
        services.ItemSpec(dimension="组织生活正常化", code="ZS-01", requirement="每月开展主题党日",
                          kind="check", max_score=Decimal("3")),
    ])
    if publish:
        services.set_publish(standard_set=standard_set, by=by)
    return standard_set


@pytest.fixture
def other_county(db):
    root = OrganizationFactory(code="OC", name="邻县县委", level=Level.COUNTY, category=None)
    zoe = UserFactory(username="zoe", full_name="邻县 周", is_staff=True)
    AssignmentFactory(user=zoe, organization=root, role=Role.COUNTY_STAFF)
    return root, zoe


def test_sets_are_seen_by_their_county_only(client_for, staff, county, other_county):
    ours = make_set(county, staff.alice)
    root, zoe = other_county
    theirs = services.set_create(organization=root, code="wuhua", name="邻县五化", year=2026, by=zoe)
    response = client_for(staff.bob).get(reverse("admin:standards_standardset_changelist"))
    assert {s.pk for s in response.context["cl"].result_list} == {ours.pk}
    response = client_for(zoe).get(reverse("admin:standards_standardset_change", args=[ours.pk]))
    assert response.status_code == 302  # not in zoe's queryset: the admin sends her away
    assert client_for(zoe).get(
        reverse("admin:standards_standardset_history", args=[ours.pk])
    ).status_code == 404
    assert theirs.pk != ours.pk


def test_committee_staff_read_only(client_for, staff, county):
    ours = make_set(county, staff.alice)
    client = client_for(staff.bob)
    url = reverse("admin:standards_standardset_change", args=[ours.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "改名"}).status_code == 403
    item = ours.items.get(code="ZS-01")
    assert client.post(
        reverse("admin:standards_standarditem_change", args=[item.pk]), {"requirement": "x"}
    ).status_code == 403


def test_publish_action_then_the_set_is_read_only(client_for, staff, county):
    ours = make_set(county, staff.alice)
    client = client_for(staff.alice)
    changelist = reverse("admin:standards_standardset_changelist")
    response = client.post(changelist, {"action": "publish", "_selected_action": [ours.pk]})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.status == SetStatus.PUBLISHED
    item = ours.items.get(code="ZD-01")
    url = reverse("admin:standards_standarditem_change", args=[item.pk])
    assert client.post(url, {"requirement": "改过"}).status_code == 403
    item.refresh_from_db()
    assert item.requirement == "活动场所面积"

    response = client.post(changelist, {"action": "new_version", "_selected_action": [ours.pk]})
    draft = StandardSet.objects.get(code="wuhua", version=2)
    assert draft.status == SetStatus.DRAFT and draft.previous == ours
    assert draft.items.count() == 2


def test_item_admin_edits_conditions_as_text(client_for, staff, county):
    ours = make_set(county, staff.alice)
    item = ours.items.get(code="ZD-01")
    url = reverse("admin:standards_standarditem_change", args=[item.pk])
    client = client_for(staff.alice)
    form = client.get(url).context["adminform"].form
    assert form.fields["conditions_text"].initial == "党员人数>=10"
    data = {
        "standard_set": ours.pk, "dimension": item.dimension_id, "code": "ZD-01",
        "requirement": "活动场所面积", "kind": "number", "comparator": ">=", "threshold": "70",
        "unit": "㎡", "max_score": "5", "ordering": "1", "categories": [category("village").pk],
        "conditions_text": "党员人数>=10；示范点=是",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.conditions[1] == {"field": "is_demonstration", "op": "=", "value": True}
    data["conditions_text"] = "面积>=10"
    response = client.post(url, data)
    assert response.status_code == 200
    assert StandardItem.objects.get(pk=item.pk).conditions == item.conditions
