"""The home page: each role lands on its own section, at a fixed query cost."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from orgs.models import Level, Role
from orgs.services import org_set_active, org_update
from tests.factories import AssignmentFactory, UserFactory, add_many_branches

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_county_staff_see_the_county(client, people, county):
    org_update(org=county.branch_a1, by=people.alice, fields={"is_demonstration": True})
    org_set_active(org=county.branch_b1, active=False, by=people.alice)
    response, content = home(client, people.alice)
    figures = response.context["county"]["figures"]
    # 县委, 2 党委, 2 active branches; B1 is inactive.
    assert figures.org_total == 5 and figures.inactive == 1
    assert figures.members == 24 and figures.demonstration == 1 and figures.branches == 2
    assert [(str(label), n) for label, n in figures.by_level] == [
        (str(Level.COUNTY.label), 1), (str(Level.COMMITTEE.label), 2), (str(Level.BRANCH.label), 2)
    ]
    assert [n for _name, n in figures.by_category] == [2]
    assert "青禾县委" in content
    for name in ("orgs:tree", "orgs:list", "orgs:import", "orgs:export", "orgs:user_list"):
        assert f'href="{reverse(name)}"' in content
    # The admin link only for those who may use the admin.
    assert reverse("admin:index") not in content
    assert response.context["committees"] == [] and response.context["own_branches"] == []


def test_committee_staff_see_their_subtree_and_its_branches(client, people, county):
    response, content = home(client, people.bob)
    assert response.context["county"] is None
    [section] = response.context["committees"]
    assert section["org"] == county.town_a
    assert section["figures"].org_total == 3 and section["figures"].branches == 2
    assert [b.code for b in section["branches"]] == ["A1", "A2"]
    assert "东坝村党支部" in content and "柳树村党支部" in content
    # Nothing of town B.
    assert "西湖" not in content
    assert reverse("orgs:user_list") not in content


def test_committee_with_many_branches_links_to_the_list(client, people, county):
    add_many_branches(county.town_a, 30)
    response, content = home(client, people.bob)
    [section] = response.context["committees"]
    assert len(section["branches"]) == 20 and section["more_branches"] == 12
    assert reverse("orgs:list") in content


def test_secretary_sees_their_branch_card(client, people, county):
    org_update(
        org=county.branch_a1,
        by=people.alice,
        fields={
            "secretary_name": "陈书记",
            "secretary_phone": "13811112222",
            "venue_area": Decimal("85.50"),
            "founded_on": datetime.date(1998, 7, 1),
        },
    )
    response, content = home(client, people.dave)
    assert [o.code for o in response.context["own_branches"]] == ["A1"]
    for text in ("东坝村党支部", "陈书记", "13811112222", "85.50", "1998-07-01", "东坝镇党委"):
        assert text in content, text
    assert reverse("orgs:edit", args=[county.branch_a1.pk]) in content
    # Not the sibling branch, and no figures of the town.
    assert "柳树村党支部" not in content
    assert response.context["county"] is None and response.context["committees"] == []


def test_helper_sees_the_branch_they_are_paired_with(client, people, county):
    response, content = home(client, people.harry)
    assert [o.code for o in response.context["paired"]] == ["A2"]
    assert "柳树村党支部" in content
    # A helper does not edit the branch.
    assert reverse("orgs:edit", args=[county.branch_a2.pk]) not in content


def test_viewer_sees_read_only_figures(client, people, county):
    response, content = home(client, people.victor)
    [section] = response.context["viewer_sections"]
    assert section["org"] == county.town_a and section["figures"].org_total == 3
    assert reverse("orgs:edit", args=[county.branch_a1.pk]) not in content


def test_several_roles_show_several_sections(client, people, county):
    user = UserFactory(username="multi")
    AssignmentFactory(user=user, organization=county.town_b, role=Role.COMMITTEE_STAFF)
    AssignmentFactory(user=user, organization=county.branch_a1, role=Role.SECRETARY)
    AssignmentFactory(user=user, organization=county.branch_a2, role=Role.HELPER)
    AssignmentFactory(user=user, organization=county.town_a, role=Role.VIEWER)
    response, content = home(client, user)
    assert [s["org"].code for s in response.context["committees"]] == ["B"]
    assert [s["org"].code for s in response.context["viewer_sections"]] == ["A"]
    assert [o.code for o in response.context["own_branches"]] == ["A1"]
    assert [o.code for o in response.context["paired"]] == ["A2"]
    for testid in ("committee-section", "viewer-section", "secretary-section", "helper-section"):
        assert f'data-testid="{testid}"' in content


def test_no_role_gets_a_friendly_message(client, people):
    response, content = home(client, people.nobody)
    assert not response.context["has_role"]
    assert 'data-testid="no-role"' in content
    assert "县委组织部" in content


def test_superuser_sees_everything(client, people):
    response, content = home(client, people.root)
    assert response.context["county"]["figures"].org_total == 6
    assert reverse("admin:index") in content


@pytest.mark.parametrize("size", [100, 3000])
@pytest.mark.parametrize(
    "persona,max_queries",
    [
        # 1 session, 2 user, 3 roles, 4 the organizations the roles sit on, then per section:
        ("alice", 5),  # 5 grouped counts over the county
        ("bob", 6),  # 5 grouped counts over town A, 6 its first branches
        ("victor", 5),  # 5 grouped counts over town A
        ("dave", 5),  # 5 the parent of the branch card
        ("harry", 5),  # 5 the parent of the branch card
        ("nobody", 3),  # no roles: nothing more
    ],
)
def test_query_count_does_not_grow(
    client, people, county, django_assert_max_num_queries, size, persona, max_queries
):
    add_many_branches(county.town_a, size)
    client.force_login(getattr(people, persona))
    with django_assert_max_num_queries(max_queries):
        response = client.get(reverse("home"))
    assert response.status_code == 200
