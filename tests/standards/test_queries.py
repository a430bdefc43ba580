"""Each standards page costs the same number of queries for 30 items and for 300.

Every request starts with queries that are not the page's own:
  1. the session, 2. the user, 3. the user's grants (orgs.scoping, cached for the
  request; the header's menu and the access helpers reuse them).
"""

import pytest
from django.urls import reverse

from orgs.models import Category
from standards import services
from standards.models import SetStatus

from .set_builders import build_set

pytestmark = pytest.mark.django_db

SIZES = [30, 300]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}items")
def library(request, county, people):
    """v1 published and v2 a draft with one item changed, `n` items each, plus a
    second library, so lists have more than one row."""
    v1 = build_set(county.county, people.alice, size=request.param, publish=True)
    v2 = services.set_new_version(standard_set=v1, by=people.alice)
    item = v2.items.order_by("pk").first()
    item.requirement = "改过的内容"
    item.save()
    other = build_set(county.county, people.alice, code="sanhua", name="三化", size=request.param,
                      publish=True)
    return type("Library", (), dict(v1=v1, v2=v2, other=other, size=request.param))


@pytest.fixture(params=["alice", "bob", "root"])
def browser(request, people):
    return getattr(people, request.param)


def test_set_list(client_for, browser, library, django_assert_max_num_queries):
    client = client_for(browser)
    # 1-3 session, user, grants; 4 the issuers of the filter form; 5 count;
    # 6 the page of sets with their issuer and item/dimension counts (subqueries).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("standards:set_list"), {"q": "标准"})
    assert response.status_code == 200
    assert {s.item_count for s in response.context["sets"]} == {library.size}


def test_set_detail_published(client_for, browser, library, django_assert_max_num_queries):
    client = client_for(browser)
    # 1-3 session, user, grants; 4 the set with its issuer; 5 the categories of the
    # filter; 6 dimensions; 7 items; 8 their categories; 9 the versions.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("standards:set_detail", args=[library.v1.pk]),
                              {"category": "village"})
    assert response.status_code == 200
    assert response.context["item_count"] > library.size // 2


def test_set_detail_draft_for_its_editor(client_for, people, library,
                                         django_assert_max_num_queries):
    client = client_for(people.alice)
    # As above, and 10 the items once more for check_publishable (one query, every
    # item validated in memory).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("standards:set_detail", args=[library.v2.pk]))
    assert response.status_code == 200
    assert response.context["item_count"] == library.size
    assert response.context["problems"] == []


def test_checklist_every_category(client_for, browser, library, django_assert_max_num_queries):
    client = client_for(browser)
    # 1-3 session, user, grants; 4 the set; 5 categories; 6 dimensions; 7 items;
    # 8 their categories.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("standards:checklist", args=[library.v1.pk]))
    assert response.status_code == 200
    assert len(response.context["pages"]) == Category.objects.filter(is_active=True).count()


def test_checklist_of_a_secretary(client_for, people, library, django_assert_max_num_queries):
    client = client_for(people.dave)
    # 1-3 session, user, grants; 4 the set; 5 the categories of dave's organizations;
    # 6 categories; 7 dimensions; 8 items; 9 their categories.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("standards:checklist", args=[library.v1.pk]),
                              {"category": "village"})
    assert response.status_code == 200
    assert len(response.context["pages"]) == 1


def test_compare(client_for, browser, library, django_assert_max_num_queries):
    client = client_for(browser)
    # 1-3 session, user, grants; 4 set b; 5 set a (b's previous); 6-7 old items and
    # their categories; 8-9 new items and their categories; 10-11 each set's
    # dimension names; 12 the versions for the picker.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("standards:compare"), {"b": library.v2.pk})
    assert response.status_code == 200
    assert len(response.context["comparison"].changed) == 1
    assert response.context["comparison"].unchanged == library.size - 1


def test_item_search(client_for, browser, library, django_assert_max_num_queries):
    client = client_for(browser)
    params = {"q": "标准", "kind": "number", "category": "village", "veto": "0",
              "status": SetStatus.PUBLISHED}
    # 1-3 session, user, grants; 4 the category filter's value; 5 count; 6 the page
    # of items with their set and dimension; 7 their categories; 8 the categories
    # of the filter form.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("standards:item_search"), params)
    assert response.status_code == 200
    assert response.context["items"]


def test_my_checklist(client_for, people, library, django_assert_max_num_queries):
    client = client_for(people.dave)
    # 1-3 session, user, grants; 4 dave's organizations; 5 the published sets handed
    # down to them; 6 their dimensions; 7 their items; 8 the items' categories.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("standards:my_checklist"))
    assert response.status_code == 200
    (entry,) = response.context["checklists"]
    assert len(entry.sets) == 2 and all(sc.item_count for sc in entry.sets)
