"""Each organization page costs the same number of queries at 100 and at 3,000 organizations.

Every request starts with three queries that are not the page's own:
  1. the session, 2. the user, 3. the user's grants (orgs.scoping, cached for the request).
"""

import pytest
from django.urls import reverse

from orgs.models import Level
from orgs.services import org_update

from ..factories import add_many_branches, category

pytestmark = pytest.mark.django_db

SIZES = [100, 3000]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}orgs")
def big_county(request, county, people):
    """The small county with `n` extra branches under town A, and some history to diff."""
    add_many_branches(county.town_a, request.param)
    org_update(org=county.branch_a1, by=people.alice, fields={"member_count": 40})
    org_update(org=county.branch_a1, by=people.bob, fields={"category": category("community")})
    return county


@pytest.fixture(params=["alice", "bob", "root"])
def user(request, people):
    return getattr(people, request.param)


def test_tree_page(client_for, user, big_county, django_assert_max_num_queries):
    client = client_for(user)
    # 1-3 session, user, grants; 4 the scope's roots with their first children (one
    # ROW_NUMBER query); 5 subtree counts of roots and children (one UNION ALL);
    # 6 the categories of the filter form.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200


def test_tree_search(client_for, user, big_county, django_assert_max_num_queries):
    client = client_for(user)
    params = {"q": "党支部", "category": category().pk, "level": Level.BRANCH, "inactive": "1"}
    # 1-3 session, user, grants; 4 the category filter's value; 5 count of matches;
    # 6 the page of matches; 7 their ancestors (one query for all paths); 8 their
    # subtree counts; 9 the categories of the filter form.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("orgs:tree"), params)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50


def test_tree_children(client_for, user, big_county, django_assert_max_num_queries):
    client = client_for(user)
    # 1-3 session, user, grants; 4 the node (scope check); 5 count of its children;
    # 6 the first chunk of children; 7 their subtree counts.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("orgs:tree_children", args=[big_county.town_a.pk]))
    assert response.status_code == 200
    assert len(response.context["nodes"]) == 100


def test_list_page(client_for, user, big_county, django_assert_max_num_queries):
    client = client_for(user)
    # 1-3 session, user, grants; 4 count; 5 the page of rows with categories;
    # 6 the page's parents (one query for all parent paths); 7 the categories and
    # 8 the committees of the filter form.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("orgs:list"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50


def test_list_page_filtered(client_for, user, big_county, django_assert_max_num_queries):
    client = client_for(user)
    params = {
        "q": "党", "category": category().pk, "level": Level.BRANCH,
        "committee": big_county.town_a.pk, "demonstration": "0", "active": "all",
        "sort": "-members", "page": "2",
    }
    # 1-3 session, user, grants; 4 the category and 5 the committee named in the
    # filters; 6 count; 7 the page of rows; 8 the page's parents; 9 the categories
    # and 10 the committees of the filter form.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orgs:list"), params)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50


@pytest.mark.parametrize("which", ["town_a", "branch_a1"])
def test_detail_page(client_for, user, big_county, which, django_assert_max_num_queries):
    client = client_for(user)
    org = getattr(big_county, which)
    # 1-3 session, user, grants; 4 the organization with its category (scope check);
    # 5 its ancestors; 6 count and 7 the page of its children; 8 their subtree counts;
    # 9 the people holding roles here; 10 the last 51 history records with their
    # users; 11 the names of the categories in them; 12 the role changes here;
    # 13-14 the assessments panel (assessments/panels.py): the star history with
    # users and assessments, the latest assessments with their campaigns;
    # 15-16 the rectification panel (rectification/panels.py): the subtree's open
    # tasks and its latest problems; 17 the funding panel's years (funding/panels.py);
    # 18-19 the meeting log panel's rules and this year's counts (meetings/panels.py).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("orgs:detail", args=[org.pk]))
    assert response.status_code == 200


def test_subtree_counts_for_nodes_at_many_depths_take_one_query(
    county, people, django_assert_num_queries
):
    from orgs.models import Organization
    from orgs.selectors import attach_subtree_counts

    org_update(org=county.branch_a2, by=people.alice, fields={"is_active": False})
    nodes = list(Organization.objects.filter(code__in=["C", "A", "A1", "B"]))
    # One UNION ALL of a grouped SELECT per depth present (1, 2 and 3 here).
    with django_assert_num_queries(1):
        attach_subtree_counts(nodes)
    counts = {n.code: (n.subtree_orgs, n.subtree_members) for n in nodes}
    # Members are added up over branches only (A1 and B1 here, 12 each): the
    # committees' own figures would count the same people twice.
    assert counts == {"C": (5, 24), "A": (2, 12), "A1": (1, 12), "B": (2, 12)}
    attach_subtree_counts(nodes, include_inactive=True)
    assert {n.code: n.subtree_orgs for n in nodes} == {"C": 6, "A": 3, "A1": 1, "B": 2}
