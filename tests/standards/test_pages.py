"""The standards reading pages: list, set, printable checklist, item search, compare, my checklist.

Scoping on every URL: the county's people read the county's set, a second county
(zoe's) never sees it (404); whole-set pages are for staff and viewers (secretaries
and helpers get 403); a secretary prints the checklist of their own category only.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from orgs.models import Category
from standards import services
from standards.models import SetStatus

from ..factories import category
from .set_builders import build_set, other_county_with_set

pytestmark = pytest.mark.django_db

BROWSERS = ["alice", "bob", "charlie", "victor", "root"]
NON_BROWSERS = ["dave", "erin", "harry"]


@pytest.fixture
def lib(county, people):
    """The county's published 五化 (v1), a draft, and a second county with its own set."""
    wuhua = build_set(county.county, people.alice, publish=True)
    draft = build_set(county.county, people.alice, code="sanhua", name="三化标准")
    root, branch, zoe, theirs = other_county_with_set()
    return type("Lib", (), dict(wuhua=wuhua, draft=draft, theirs=theirs, zoe=zoe))


def test_anonymous_is_sent_to_login(client, lib):
    for url in [
        reverse("standards:set_list"),
        reverse("standards:set_detail", args=[lib.wuhua.pk]),
        reverse("standards:checklist", args=[lib.wuhua.pk]),
        reverse("standards:item_search"),
        reverse("standards:compare") + f"?b={lib.wuhua.pk}",
        reverse("standards:my_checklist"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


# ---------------------------------------------------------------- set list


@pytest.mark.parametrize("name", BROWSERS)
def test_set_list_shows_the_county_sets(client_for, people, lib, name):
    response = client_for(getattr(people, name)).get(reverse("standards:set_list"))
    assert response.status_code == 200
    pks = {s.pk for s in response.context["sets"]}
    assert {lib.wuhua.pk, lib.draft.pk} <= pks
    assert (lib.theirs.pk in pks) == (name == "root")


@pytest.mark.parametrize("name", NON_BROWSERS + ["nobody"])
def test_set_list_is_refused_to_who_does_not_browse(client_for, people, lib, name):
    assert client_for(getattr(people, name)).get(reverse("standards:set_list")).status_code == 403


def test_set_list_of_the_other_county(client_for, lib):
    response = client_for(lib.zoe).get(reverse("standards:set_list"))
    assert [s.pk for s in response.context["sets"]] == [lib.theirs.pk]


def test_set_list_counts_filters_and_buttons(client_for, people, county, lib):
    client = client_for(people.alice)
    response = client.get(reverse("standards:set_list"))
    rows = {s.code: s for s in response.context["sets"]}
    assert (rows["wuhua"].item_count, rows["wuhua"].dimension_count) == (4, 4)
    html = response.content.decode()
    assert 'data-testid="new-set"' in html
    assert reverse("standards:set_import") in html

    def codes(**params):
        return {s.code for s in client.get(reverse("standards:set_list"), params).context["sets"]}

    assert codes(q="三化") == {"sanhua"}
    assert codes(q="WUHUA") == {"wuhua"}
    assert codes(status=SetStatus.PUBLISHED) == {"wuhua"}
    assert codes(year=2026) == {"wuhua", "sanhua"}
    assert codes(year=2020) == set()
    assert codes(issuer=county.county.pk) == {"wuhua", "sanhua"}
    # A bad filter is dropped and shown, not an error page.
    response = client.get(reverse("standards:set_list"), {"year": "abc", "status": "nope"})
    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert {s.code for s in response.context["sets"]} == {"wuhua", "sanhua"}
    # The other county is not a filter choice either: the value is dropped.
    assert codes(issuer=lib.theirs.organization_id) == {"wuhua", "sanhua"}


def test_set_list_hides_create_buttons_from_readers(client_for, people, lib):
    html = client_for(people.bob).get(reverse("standards:set_list")).content.decode()
    assert 'data-testid="new-set"' not in html and 'data-testid="import"' not in html


def test_set_list_paginates(client_for, people, county):
    for i in range(30):
        services.set_create(organization=county.county, code=f"s{i:02d}", name=f"标准{i}",
                            year=2026, by=people.alice)
    client = client_for(people.alice)
    first = client.get(reverse("standards:set_list"))
    assert len(first.context["sets"]) == 25
    second = client.get(reverse("standards:set_list"), {"page": 2})
    assert len(second.context["sets"]) == 5


# ---------------------------------------------------------------- set detail


@pytest.mark.parametrize("name", BROWSERS)
def test_set_detail_for_browsers(client_for, people, lib, name):
    response = client_for(getattr(people, name)).get(
        reverse("standards:set_detail", args=[lib.wuhua.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "活动场所面积达标" in html and "≥ 70 ㎡" in html and "党员人数&gt;=10" in html
    assert reverse("standards:set_export", args=[lib.wuhua.pk]) in html


@pytest.mark.parametrize("name", NON_BROWSERS)
def test_set_detail_refused_to_secretaries_and_helpers(client_for, people, lib, name):
    url = reverse("standards:set_detail", args=[lib.wuhua.pk])
    assert client_for(getattr(people, name)).get(url).status_code == 403


def test_set_detail_outside_the_county_is_404(client_for, people, lib):
    assert client_for(lib.zoe).get(
        reverse("standards:set_detail", args=[lib.wuhua.pk])
    ).status_code == 404
    assert client_for(people.alice).get(
        reverse("standards:set_detail", args=[lib.theirs.pk])
    ).status_code == 404
    assert client_for(people.nobody).get(
        reverse("standards:set_detail", args=[lib.wuhua.pk])
    ).status_code == 404
    assert client_for(people.alice).get("/standards/999999/").status_code == 404


def test_set_detail_groups_by_dimension_with_totals(client_for, people, lib):
    response = client_for(people.alice).get(reverse("standards:set_detail", args=[lib.wuhua.pk]))
    groups = {g.dimension.name: g for g in response.context["groups"]}
    assert groups["阵地建设规范化"].item_count == 1
    assert groups["阵地建设规范化"].score_total == 5
    assert response.context["item_count"] == 4 and response.context["score_total"] == 14


def test_set_detail_filters_by_category_and_dimension(client_for, people, lib):
    client = client_for(people.alice)
    url = reverse("standards:set_detail", args=[lib.wuhua.pk])

    def codes(response):
        return {i.code for g in response.context["groups"] for i in g.items}

    # Items with no categories apply to every category.
    assert codes(client.get(url, {"category": "community"})) == {"ZS-01", "ZB-01", "GZ-01"}
    assert codes(client.get(url, {"category": "village"})) == {"ZS-01", "ZD-01", "GZ-01"}
    dimension = lib.wuhua.dimensions.get(name="组织生活正常化")
    assert codes(client.get(url, {"dimension": dimension.pk})) == {"ZS-01"}
    assert codes(client.get(url, {"dimension": dimension.pk, "category": "community"})) == {"ZS-01"}
    # Malformed filters: a 400 with a message, never a 500.
    for params in ({"category": "nope"}, {"dimension": "abc"}, {"dimension": "999999"}):
        response = client.get(url, params)
        assert response.status_code == 400
        assert 'data-testid="bad-request"' in response.content.decode()


def test_set_detail_actions_follow_status_and_permission(client_for, people, lib):
    alice = client_for(people.alice)
    draft_html = alice.get(reverse("standards:set_detail", args=[lib.draft.pk])).content.decode()
    for testid in ("edit-set", "add-dimension", "add-item", "import-into", "publish", "delete-set"):
        assert f'data-testid="{testid}"' in draft_html, testid
    assert f"{reverse('standards:set_import')}?into={lib.draft.pk}" in draft_html
    assert 'data-testid="retire"' not in draft_html and 'data-testid="new-version"' not in draft_html

    published_html = alice.get(
        reverse("standards:set_detail", args=[lib.wuhua.pk])
    ).content.decode()
    for testid in ("retire", "new-version"):
        assert f'data-testid="{testid}"' in published_html, testid
    for testid in ("edit-set", "add-item", "publish", "delete-set", "import-into"):
        assert f'data-testid="{testid}"' not in published_html, testid

    bob_html = client_for(people.bob).get(
        reverse("standards:set_detail", args=[lib.draft.pk])
    ).content.decode()
    for testid in ("edit-set", "add-item", "publish", "delete-set", "retire", "new-version"):
        assert f'data-testid="{testid}"' not in bob_html, testid


def test_set_detail_shows_what_stops_publishing(client_for, people, county):
    empty = services.set_create(organization=county.county, code="empty", name="空标准",
                                year=2026, by=people.alice)
    response = client_for(people.alice).get(reverse("standards:set_detail", args=[empty.pk]))
    assert response.context["problems"]
    assert 'data-testid="publish-problems"' in response.content.decode()


def test_set_detail_lists_every_version_and_links_the_comparison(client_for, people, lib):
    v2 = services.set_new_version(standard_set=lib.wuhua, by=people.alice)
    response = client_for(people.bob).get(reverse("standards:set_detail", args=[v2.pk]))
    assert [v.version for v in response.context["versions"]] == [2, 1]
    html = response.content.decode()
    assert f"?a={lib.wuhua.pk}&amp;b={v2.pk}" in html
    assert 'data-testid="compare-previous"' in html


# ---------------------------------------------------------------- printable checklist


def _checklist(client, standard_set, **params):
    return client.get(reverse("standards:checklist", args=[standard_set.pk]), params)


def test_checklist_one_page_per_category(client_for, people, lib):
    response = _checklist(client_for(people.alice), lib.wuhua)
    assert response.status_code == 200
    pages = {p["category"].code: p for p in response.context["pages"]}
    # ZS-01 and GZ-01 apply to every category, so every active category has a page.
    assert len(pages) == Category.objects.filter(is_active=True).count() == 11  # 10 seeded + 街道
    assert {i.code for g in pages["village"]["groups"] for i in g.items} == {
        "ZD-01", "ZS-01", "GZ-01"
    }
    assert {i.code for g in pages["community"]["groups"] for i in g.items} == {
        "ZB-01", "ZS-01", "GZ-01"
    }
    html = response.content.decode()
    assert html.count('data-testid="checklist-page"') == len(pages)
    # The print rules live in a stylesheet (the content security policy refuses <style>).
    assert "css/checklist.css" in html
    css = (Path(settings.BASE_DIR) / "static" / "css" / "checklist.css").read_text()
    assert "break-after: page" in css and "size: A4 portrait" in css
    assert "☐" in html and "≥ 70 ㎡" in html and lib.wuhua.name in html


def test_checklist_of_one_category(client_for, people, lib):
    response = _checklist(client_for(people.victor), lib.wuhua, category="community")
    assert [p["category"].code for p in response.context["pages"]] == ["community"]
    # 好/较好/一般/差 boxes for the graded item, from the set's own levels.
    assert "☐ 较好" in response.content.decode()
    assert _checklist(client_for(people.victor), lib.wuhua, category="zzz").status_code == 400


def test_checklist_skips_categories_without_items(client_for, people, county):
    only_village = build_set(
        county.county, people.alice, code="v", publish=True,
        items=[services.ItemSpec(dimension="阵地", code="1", requirement="村级活动场所",
                                 kind="check", max_score=1, category_ids=[category().pk])],
    )
    response = _checklist(client_for(people.alice), only_village)
    assert [p["category"].code for p in response.context["pages"]] == ["village"]
    response = _checklist(client_for(people.alice), only_village, category="school")
    assert response.context["pages"] == []
    assert 'data-testid="no-checklist"' in response.content.decode()


@pytest.mark.parametrize("name", NON_BROWSERS)
def test_secretaries_and_helpers_print_their_own_category_only(client_for, people, lib, name):
    client = client_for(getattr(people, name))  # branches A1 and A2 are villages
    response = _checklist(client, lib.wuhua, category="village")
    assert response.status_code == 200
    assert [p["category"].code for p in response.context["pages"]] == ["village"]
    assert _checklist(client, lib.wuhua, category="community").status_code == 403
    # Without a category: their own only, not the county's every page.
    response = _checklist(client, lib.wuhua)
    assert [p["category"].code for p in response.context["pages"]] == ["village"]
    # A draft is not theirs to read, nor is another county's set.
    assert _checklist(client, lib.draft, category="village").status_code == 404
    assert _checklist(client, lib.theirs, category="village").status_code == 404


def test_checklist_outside_the_county_and_without_a_role(client_for, people, lib):
    assert _checklist(client_for(lib.zoe), lib.wuhua).status_code == 404
    assert _checklist(client_for(people.nobody), lib.wuhua).status_code == 404


def test_community_secretary_prints_the_community_page(client_for, county, lib):
    from orgs.models import Role

    from ..factories import AssignmentFactory, UserFactory

    sam = UserFactory(username="sam")
    AssignmentFactory(user=sam, organization=county.branch_b1, role=Role.SECRETARY)
    client = client_for(sam)
    assert _checklist(client, lib.wuhua, category="community").status_code == 200
    assert _checklist(client, lib.wuhua, category="village").status_code == 403


# ---------------------------------------------------------------- item search


def _search(client, **params):
    return client.get(reverse("standards:item_search"), params)


def test_item_search_across_visible_published_sets(client_for, people, lib):
    client = client_for(people.bob)

    def codes(**params):
        response = _search(client, **params)
        assert response.status_code == 200
        return sorted((i.standard_set.code, i.code) for i in response.context["items"])

    # Published by default: the draft's items are not listed, nor the other county's.
    assert codes() == [("wuhua", c) for c in ("GZ-01", "ZB-01", "ZD-01", "ZS-01")]
    assert codes(q="主题党日") == [("wuhua", "ZS-01")]
    assert codes(q="zd-01") == [("wuhua", "ZD-01")]
    assert codes(q="酌情") == [("wuhua", "GZ-01")]  # guidance text
    assert codes(kind="number") == [("wuhua", "ZD-01")]
    assert codes(veto="1") == [("wuhua", "ZS-01")]
    assert codes(category="community") == [("wuhua", c) for c in ("GZ-01", "ZB-01", "ZS-01")]
    assert codes(status="draft") == [("sanhua", c) for c in ("GZ-01", "ZB-01", "ZD-01", "ZS-01")]
    assert len(codes(status="all")) == 8
    html = _search(client, q="主题党日").content.decode()
    assert reverse("standards:set_detail", args=[lib.wuhua.pk]) in html
    # Bad filters are dropped and shown.
    response = _search(client, kind="nope", category="zzz")
    assert response.status_code == 200 and len(response.context["items"]) == 4


def test_item_search_scoping(client_for, people, lib):
    for name in NON_BROWSERS + ["nobody"]:
        assert _search(client_for(getattr(people, name))).status_code == 403
    response = _search(client_for(lib.zoe))
    assert {i.standard_set_id for i in response.context["items"]} == {lib.theirs.pk}


def test_item_search_paginates(client_for, people, county):
    big = build_set(county.county, people.alice, code="big", size=120, publish=True)
    client = client_for(people.alice)
    assert len(_search(client).context["items"]) == 50
    last = _search(client, page=3)
    assert len(last.context["items"]) == 20
    assert all(i.standard_set_id == big.pk for i in last.context["items"])


# ---------------------------------------------------------------- compare


def _compare(client, **params):
    return client.get(reverse("standards:compare"), params)


def test_compare_defaults_to_the_previous_version(client_for, people, lib):
    v2 = services.set_new_version(standard_set=lib.wuhua, by=people.alice)
    item = v2.items.get(code="ZD-01")
    item.threshold = 80
    item.requirement = "活动场所面积达到新标准"
    item.save()
    item.categories.add(category("community"))
    v2.items.get(code="GZ-01").delete()
    new_dimension = v2.dimensions.create(name="新方面", ordering=9)
    from standards.models import StandardItem

    StandardItem.objects.create(
        standard_set=v2, dimension=new_dimension, code="NEW-1", requirement="新增条目",
        kind="check", max_score=1,
    )
    v2.dimensions.get(name="工作制度体系化").delete()

    response = _compare(client_for(people.bob), b=v2.pk)
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert comparison.old == lib.wuhua
    assert [i.code for i in comparison.added] == ["NEW-1"]
    assert [i.code for i in comparison.removed] == ["GZ-01"]
    assert [c.code for c in comparison.changed] == ["ZD-01"]
    assert comparison.unchanged == 2
    changes = {(f.old, f.new) for f in comparison.changed[0].fields}
    assert len(changes) == 3  # requirement, threshold, categories; labels are translated
    assert ("活动场所面积达标", "活动场所面积达到新标准") in changes
    assert ("村", "村、社区") in changes
    assert any(old.startswith("≥ 70 ㎡") and new.startswith("≥ 80 ㎡") for old, new in changes)
    assert comparison.dimensions_added == ["新方面"]
    assert comparison.dimensions_removed == ["工作制度体系化"]
    html = response.content.decode()
    assert 'data-testid="compare-summary"' in html and "≥ 80 ㎡" in html


def test_compare_explicit_pair_and_bad_input(client_for, people, lib, county):
    client = client_for(people.alice)
    response = _compare(client, a=lib.wuhua.pk, b=lib.draft.pk)
    assert response.status_code == 200
    assert response.context["comparison"].unchanged == 4
    # v1 has no previous version: the page says so instead of comparing.
    response = _compare(client, b=lib.wuhua.pk)
    assert response.status_code == 200 and "comparison" not in response.context
    assert 'data-testid="nothing-to-compare"' in response.content.decode()
    assert _compare(client).status_code == 400
    assert _compare(client, a=lib.wuhua.pk, b=lib.wuhua.pk).status_code == 400
    assert _compare(client, a="abc", b=lib.wuhua.pk).status_code == 404
    assert _compare(client, b="abc").status_code == 404


def test_compare_scoping(client_for, people, lib):
    assert _compare(client_for(lib.zoe), b=lib.wuhua.pk).status_code == 404
    assert _compare(client_for(lib.zoe), a=lib.wuhua.pk, b=lib.theirs.pk).status_code == 404
    assert _compare(client_for(people.alice), a=lib.theirs.pk, b=lib.wuhua.pk).status_code == 404
    for name in NON_BROWSERS:
        assert _compare(client_for(getattr(people, name)), b=lib.wuhua.pk).status_code == 403


# ---------------------------------------------------------------- my checklist


def _mine(client):
    response = client.get(reverse("standards:my_checklist"))
    assert response.status_code == 200
    return {
        entry.organization.code: {
            sc.standard_set.code: sorted(i.code for g in sc.groups for i in g.items)
            for sc in entry.sets
        }
        for entry in response.context["checklists"]
    }


def test_my_checklist_lists_what_applies_to_my_branch(client_for, people, county, lib):
    # A1 is a village branch with 12 members: the 70 ㎡ rule (villages, ≥ 10 members)
    # applies, the community item does not; the draft and the other county are not there.
    assert _mine(client_for(people.dave)) == {"A1": {"wuhua": ["GZ-01", "ZD-01", "ZS-01"]}}
    county.branch_a1.member_count = 8
    county.branch_a1.save()
    assert _mine(client_for(people.dave)) == {"A1": {"wuhua": ["GZ-01", "ZS-01"]}}
    assert _mine(client_for(people.harry)) == {"A2": {"wuhua": ["GZ-01", "ZD-01", "ZS-01"]}}
    html = client_for(people.erin).get(reverse("standards:my_checklist")).content.decode()
    assert "≥ 70 ㎡" in html and "班子团结有力" not in html
    assert f"{reverse('standards:checklist', args=[lib.wuhua.pk])}?category=village" in html


def test_my_checklist_for_staff_and_for_nobody(client_for, people, lib):
    # Town A has no category: only the items for every category apply to it.
    assert _mine(client_for(people.bob)) == {"A": {"wuhua": ["GZ-01", "ZS-01"]}}
    assert _mine(client_for(people.nobody)) == {}
    assert _mine(client_for(lib.zoe)) == {"OC": {"linxian": ["GZ-01", "ZS-01"]}}


def test_my_checklist_shows_a_handful_of_organizations(client_for, people, county, lib):
    from orgs.models import Role

    from ..factories import AssignmentFactory, OrganizationFactory

    for i in range(7):
        branch = OrganizationFactory(parent=county.town_b, code=f"H{i}")
        AssignmentFactory(user=people.harry, organization=branch, role=Role.HELPER)
    response = client_for(people.harry).get(reverse("standards:my_checklist"))
    assert len(response.context["checklists"]) == 5
    assert response.context["more_orgs"] == 3


def test_nav_links(client_for, people, lib):
    html = client_for(people.alice).get(reverse("home")).content.decode()
    assert reverse("standards:set_list") in html
    html = client_for(people.dave).get(reverse("home")).content.decode()
    assert reverse("standards:my_checklist") in html
    assert f'href="{reverse("standards:set_list")}"' not in html
