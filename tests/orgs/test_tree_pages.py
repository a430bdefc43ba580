"""The organization pages: who may open and change what, and what a change leaves in the history."""

import pytest
from django.urls import reverse

from orgs.models import Level, Organization
from orgs.services import org_update

from ..factories import OrganizationFactory

pytestmark = pytest.mark.django_db

# Every URL that names one organization: (url name, method, POST data).
ORG_URLS = [
    ("orgs:detail", "get", None),
    ("orgs:tree_children", "get", None),
    ("orgs:create", "get", None),
    ("orgs:edit", "get", None),
    ("orgs:move", "get", None),
    ("orgs:set_active", "post", {"active": "0"}),
]
CHANGE_URLS = [u for u in ORG_URLS if u[0] not in ("orgs:detail", "orgs:tree_children")]


def call(client, name, org, method="get", data=None):
    url = reverse(name, args=[org.pk])
    return client.post(url, data or {}) if method == "post" else client.get(url)


def codes(response, testid):
    """The data-code of every element with this data-testid in the page."""
    import re

    html = response.content.decode()
    return re.findall(rf'data-testid="{testid}" data-code="([^"]+)"', html)


# --- scoping ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["orgs:list", "orgs:tree"])
def test_anonymous_is_sent_to_login_from_the_pages(client, county, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name,method,data", ORG_URLS)
def test_anonymous_is_sent_to_login(client, county, name, method, data):
    response = call(client, name, county.branch_a1, method, data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name,method,data", ORG_URLS)
def test_committee_next_door_gets_404(client_for, people, county, name, method, data):
    client = client_for(people.charlie)
    for org in (county.town_a, county.branch_a1):
        assert call(client, name, org, method, data).status_code == 404
    assert Organization.objects.get(pk=county.branch_a1.pk).is_active


@pytest.mark.parametrize("name,method,data", ORG_URLS)
def test_secretary_cannot_reach_the_sibling_branch(client_for, people, county, name, method, data):
    client = client_for(people.dave)
    assert call(client, name, county.branch_a2, method, data).status_code == 404
    assert Organization.objects.get(pk=county.branch_a2.pk).is_active


@pytest.mark.parametrize("name,method,data", CHANGE_URLS)
@pytest.mark.parametrize("persona", ["victor", "harry"])
def test_readers_can_see_but_not_change(client_for, people, county, persona, name, method, data):
    client = client_for(getattr(people, persona))
    assert call(client, "orgs:detail", county.branch_a2).status_code == 200
    assert call(client, name, county.branch_a2, method, data).status_code == 403
    assert Organization.objects.get(pk=county.branch_a2.pk).is_active


@pytest.mark.parametrize("name", ["orgs:create", "orgs:move", "orgs:set_active"])
def test_secretary_cannot_restructure_own_branch(client_for, people, county, name):
    client = client_for(people.dave)
    method, data = ("post", {"active": "0"}) if name == "orgs:set_active" else ("get", None)
    assert call(client, name, county.branch_a1, method, data).status_code == 403


@pytest.mark.parametrize("name", ["orgs:move", "orgs:set_active"])
def test_staff_cannot_move_or_deactivate_their_own_scope_root(client_for, people, county, name):
    client = client_for(people.bob)
    method, data = ("post", {"active": "0"}) if name == "orgs:set_active" else ("get", None)
    assert call(client, name, county.town_a, method, data).status_code == 403
    # ... but may below it.
    assert call(client, "orgs:move", county.branch_a1).status_code == 200


def test_list_and_tree_show_only_the_scope(client_for, people, county):
    client = client_for(people.charlie)
    assert set(codes(client.get(reverse("orgs:list")), "org-row")) == {"B", "B1"}
    assert codes(client.get(reverse("orgs:tree")), "tree-node") == ["B", "B1"]
    found = client.get(reverse("orgs:tree"), {"q": "村"})
    assert codes(found, "search-row") == []  # 东坝村/柳树村 are next door
    client = client_for(people.dave)
    assert codes(client.get(reverse("orgs:list")), "org-row") == ["A1"]
    assert codes(client.get(reverse("orgs:tree")), "tree-node") == ["A1"]


def test_user_without_roles_sees_an_empty_tree(client_for, people, county):
    client = client_for(people.nobody)
    assert codes(client.get(reverse("orgs:tree")), "tree-node") == []
    assert codes(client.get(reverse("orgs:list")), "org-row") == []


def test_get_on_set_active_is_405(client_for, people, county):
    assert call(client_for(people.alice), "orgs:set_active", county.branch_a1).status_code == 405


# --- tree ---------------------------------------------------------------------


def test_tree_shows_roots_expanded_with_subtree_counts(client_for, people, county):
    response = client_for(people.bob).get(reverse("orgs:tree"))
    assert codes(response, "tree-node") == ["A", "A1", "A2"]
    (root,) = response.context["roots"]
    assert (root.subtree_orgs, root.subtree_members) == (3, 24)  # two branches of 12; the committee's own figure is not added
    assert [c.subtree_orgs for c in root.loaded_children] == [1, 1]


def test_tree_children_are_loaded_one_level_at_a_time(client_for, people, county):
    client = client_for(people.alice)
    response = client.get(reverse("orgs:tree_children", args=[county.town_a.pk]))
    assert codes(response, "tree-node") == ["A1", "A2"]
    assert b"<html" not in response.content  # a partial for htmx


def test_deactivated_orgs_are_hidden_unless_asked(client_for, people, county):
    org_update(org=county.branch_a2, by=people.alice, fields={"is_active": False})
    client = client_for(people.bob)
    assert codes(client.get(reverse("orgs:tree")), "tree-node") == ["A", "A1"]
    shown = client.get(reverse("orgs:tree"), {"inactive": "1"})
    assert codes(shown, "tree-node") == ["A", "A1", "A2"]
    assert shown.content.decode().count('data-testid="inactive-badge"') == 1
    children = client.get(reverse("orgs:tree_children", args=[county.town_a.pk]))
    assert codes(children, "tree-node") == ["A1"]


def test_tree_search_lists_matches_with_their_ancestors(client_for, people, county):
    response = client_for(people.alice).get(reverse("orgs:tree"), {"q": "a2"})
    assert codes(response, "search-row") == ["A2"]
    (row,) = response.context["rows"]
    assert [a.code for a in row.ancestors] == ["C", "A"]
    response = client_for(people.alice).get(
        reverse("orgs:tree"), {"level": Level.COMMITTEE, "category": "", "q": ""}
    )
    assert codes(response, "search-row") == ["A", "B"]


def test_tree_search_ancestors_stop_at_the_scope(client_for, people, county):
    response = client_for(people.bob).get(reverse("orgs:tree"), {"q": "柳树"})
    (row,) = response.context["rows"]
    assert [a.code for a in row.ancestors] == ["A"]  # not the county above bob's scope


def test_big_committee_children_come_in_chunks(client_for, people, county):
    from orgs.selectors import TREE_CHUNK

    from ..factories import add_many_branches

    add_many_branches(county.town_b, TREE_CHUNK + 5)
    client = client_for(people.charlie)
    response = client.get(reverse("orgs:tree"))
    assert len(codes(response, "tree-node")) == 1 + TREE_CHUNK
    (root,) = response.context["roots"]
    assert root.more_url
    more = client.get(root.more_url)
    assert len(codes(more, "tree-node")) == 6  # B1 and the five past the first chunk
    assert b"<ul>" not in more.content  # appended to the open list
    past_end = client.get(reverse("orgs:tree_children", args=[county.town_b.pk]), {"page": "9"})
    assert codes(past_end, "tree-node") == []


# --- list ---------------------------------------------------------------------


def test_list_filters_search_and_sort(client_for, people, county):
    Organization.objects.filter(code="B1").update(secretary_name="王芳")
    client = client_for(people.alice)
    url = reverse("orgs:list")
    assert codes(client.get(url, {"q": "王芳"}), "org-row") == ["B1"]
    assert codes(client.get(url, {"q": "a"}), "org-row") == ["A", "A1", "A2"]
    assert codes(client.get(url, {"category": county.branch_b1.category_id}), "org-row") == ["B1"]
    assert codes(client.get(url, {"committee": county.town_a.pk}), "org-row") == ["A", "A1", "A2"]
    assert codes(client.get(url, {"level": Level.BRANCH, "sort": "-code"}), "org-row") == [
        "B1", "A2", "A1",
    ]
    response = client.get(url, {"committee": county.town_a.pk})
    rows = response.context["rows"]
    assert [r.parent_org.code for r in rows] == ["C", "A", "A"]
    assert "committee=%d" % county.town_a.pk in response.context["export_query"]
    assert "active=1" in response.context["export_query"]


def test_list_committee_filter_only_offers_the_scope(client_for, people, county):
    client = client_for(people.bob)
    response = client.get(reverse("orgs:list"), {"committee": county.town_b.pk})
    assert set(codes(response, "org-row")) == {"A", "A1", "A2"}  # the filter was ignored
    assert "committee" in response.context["form"].errors


def test_list_shows_deactivated_only_when_asked(client_for, people, county):
    org_update(org=county.branch_a2, by=people.alice, fields={"is_active": False})
    client = client_for(people.bob)
    assert codes(client.get(reverse("orgs:list")), "org-row") == ["A", "A1"]
    assert codes(client.get(reverse("orgs:list"), {"active": "0"}), "org-row") == ["A2"]
    assert codes(client.get(reverse("orgs:list"), {"active": "all"}), "org-row") == [
        "A", "A1", "A2",
    ]


def test_list_buttons_follow_the_role(client_for, people, county):
    page = client_for(people.bob).get(reverse("orgs:list")).content.decode()
    assert 'data-testid="export"' in page and 'data-testid="import"' in page
    page = client_for(people.victor).get(reverse("orgs:list")).content.decode()
    assert 'data-testid="export"' in page and 'data-testid="import"' not in page


@pytest.mark.parametrize(
    "params",
    [
        {"category": "abc", "level": "nope", "committee": "x", "sort": "drop table", "page": "-1"},
        {"category": "99999999999999999999", "committee": "99999999999999999999"},
        {"active": "maybe", "demonstration": "2", "q": "x" * 500},
    ],
)
def test_list_and_tree_shrug_off_bad_filters(client_for, people, county, params):
    client = client_for(people.alice)
    assert client.get(reverse("orgs:list"), params).status_code == 200
    assert client.get(reverse("orgs:tree"), params).status_code == 200


# --- detail -------------------------------------------------------------------


def test_detail_shows_ancestors_children_roles_and_history(client_for, people, county):
    org_update(
        org=county.town_a, by=people.alice, fields={"name": "东坝镇新党委", "member_count": 30},
        reason="换届",
    )
    response = client_for(people.alice).get(reverse("orgs:detail", args=[county.town_a.pk]))
    assert response.status_code == 200
    org = response.context["org"]
    assert [a.code for a in org.ancestors] == ["C"]
    assert codes(response, "child") == ["A1", "A2"]
    holders = {(a.user.username, a.role) for a in response.context["role_holders"]}
    assert holders == {("bob", "committee_staff"), ("victor", "viewer")}
    latest, created = response.context["audit_trail"]
    assert latest.kind == "changed" and latest.record.history_user == people.alice
    assert latest.reason == "换届" and created.reason == ""
    assert {(str(label), old, new) for label, old, new in latest.changes} == {
        (str(Organization._meta.get_field("name").verbose_name), "东坝镇党委", "东坝镇新党委"),
        (str(Organization._meta.get_field("member_count").verbose_name), "12", "30"),
    }
    assert created.kind == "created"
    page = response.content.decode()
    assert "换届" in page and "东坝镇新党委" in page


def test_detail_names_levels_and_categories_in_the_diff(client_for, people, county):
    from ..factories import category

    org_update(
        org=county.branch_a1, by=people.bob,
        fields={"level": Level.JOINT_BRANCH, "category": category("community")},
    )
    response = client_for(people.bob).get(reverse("orgs:detail", args=[county.branch_a1.pk]))
    changes = {old: new for _, old, new in response.context["audit_trail"][0].changes}
    assert changes[str(Level.BRANCH.label)] == str(Level.JOINT_BRANCH.label)
    assert changes["村"] == "社区"


def test_detail_lists_role_changes_here(client_for, people, county):
    from orgs.models import Assignment
    from orgs.services import assignment_add, assignment_remove

    assignment_add(user=people.nobody, organization=county.branch_a1, role="viewer", by=people.alice)
    assignment_remove(
        assignment=Assignment.objects.get(user=people.nobody, organization=county.branch_a1),
        by=people.alice,
    )
    response = client_for(people.bob).get(reverse("orgs:detail", args=[county.branch_a1.pk]))
    records = list(response.context["assignment_history"])
    assert [r.history_type for r in records[:2]] == ["-", "+"]
    assert records[0].user == people.nobody and records[0].history_user == people.alice


def test_detail_buttons_follow_permissions(client_for, people, county):
    def actions(user, org):
        page = client_for(user).get(reverse("orgs:detail", args=[org.pk])).content.decode()
        return {a for a in ("edit", "add-child", "move", "deactivate") if f'data-testid="{a}"' in page}

    assert actions(people.bob, county.town_a) == {"edit", "add-child"}
    assert actions(people.bob, county.branch_a1) == {"edit", "move", "deactivate"}
    assert actions(people.dave, county.branch_a1) == {"edit"}
    assert actions(people.victor, county.branch_a1) == set()


def test_huge_id_is_404_not_500(client_for, people, county):
    client = client_for(people.alice)
    assert client.get("/orgs/99999999999999999999/").status_code == 404
    assert client.get("/orgs/tree/99999999999999999999/children/").status_code == 404


# --- create -------------------------------------------------------------------


NEW_BRANCH = {
    "code": "A3", "name": "新村党支部", "level": Level.BRANCH, "category": "",
    "secretary_name": "王五", "secretary_phone": "13900000000", "member_count": "8",
    "venue_area": "80.5", "founded_on": "2020-07-01",
}


def test_committee_staff_add_a_branch_and_history_names_them(client_for, people, county):
    response = client_for(people.bob).post(
        reverse("orgs:create", args=[county.town_a.pk]), NEW_BRANCH
    )
    org = Organization.objects.get(code="A3")
    assert response.status_code == 302 and response.url == reverse("orgs:detail", args=[org.pk])
    assert Organization.objects.get_parent(org).pk == county.town_a.pk
    record = org.history.get()
    assert record.history_type == "+" and record.history_user == people.bob


def test_create_refuses_a_level_the_parent_cannot_hold(client_for, people, county):
    data = dict(NEW_BRANCH, level=Level.COUNTY)
    response = client_for(people.bob).post(reverse("orgs:create", args=[county.town_a.pk]), data)
    assert response.status_code == 200 and "level" in response.context["form"].errors
    assert not Organization.objects.filter(code="A3").exists()


def test_create_refuses_a_duplicate_code_and_bad_numbers(client_for, people, county):
    data = dict(NEW_BRANCH, code="A1", member_count="-3", venue_area="abc", secretary_phone="呼叫")
    response = client_for(people.bob).post(reverse("orgs:create", args=[county.town_a.pk]), data)
    errors = response.context["form"].errors
    assert set(errors) >= {"code", "member_count", "venue_area", "secretary_phone"}
    assert Organization.objects.filter(name="新村党支部").count() == 0


def test_create_under_a_branch_or_an_inactive_org_is_refused(client_for, people, county):
    client = client_for(people.bob)
    response = client.post(reverse("orgs:create", args=[county.branch_a1.pk]), NEW_BRANCH)
    assert response.status_code == 302 and not Organization.objects.filter(code="A3").exists()
    general = OrganizationFactory(parent=county.town_a, code="G", level=Level.GENERAL_BRANCH)
    org_update(org=general, by=people.alice, fields={"is_active": False})
    response = client.post(reverse("orgs:create", args=[general.pk]), NEW_BRANCH)
    assert response.status_code == 302 and not Organization.objects.filter(code="A3").exists()


# --- edit ---------------------------------------------------------------------


def test_staff_edit_every_field(client_for, people, county):
    data = dict(NEW_BRANCH, code="A1X", name="东坝村第一党支部", reason="更名")
    response = client_for(people.bob).post(reverse("orgs:edit", args=[county.branch_a1.pk]), data)
    assert response.status_code == 302
    org = Organization.objects.get(pk=county.branch_a1.pk)
    assert (org.code, org.name, org.category_id) == ("A1X", "东坝村第一党支部", None)
    record = org.history.order_by("-history_id").first()
    assert record.history_user == people.bob and record.history_change_reason == "更名"


def test_secretary_edits_only_details_of_own_branch(client_for, people, county):
    data = dict(NEW_BRANCH, name="篡改的名称", member_count="25")
    client = client_for(people.dave)
    response = client.get(reverse("orgs:edit", args=[county.branch_a1.pk]))
    assert set(response.context["form"].fields) == {
        "secretary_name", "secretary_phone", "member_count", "venue_area", "founded_on", "reason",
    }
    response = client.post(reverse("orgs:edit", args=[county.branch_a1.pk]), data)
    assert response.status_code == 302
    org = Organization.objects.get(pk=county.branch_a1.pk)
    assert (org.name, org.member_count, org.secretary_name) == ("东坝村党支部", 25, "王五")
    assert org.history.order_by("-history_id").first().history_user == people.dave


def test_level_change_that_breaks_the_children_is_shown_on_the_form(client_for, people, county):
    data = dict(NEW_BRANCH, code="A", name="东坝镇党委", level=Level.BRANCH)
    response = client_for(people.alice).post(reverse("orgs:edit", args=[county.town_a.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Organization.objects.get(pk=county.town_a.pk).level == Level.COMMITTEE
    assert response.context["org"].name == "东坝镇党委"


# --- move ---------------------------------------------------------------------


def test_county_staff_move_a_branch_and_history_names_them(client_for, people, county):
    response = client_for(people.alice).post(
        reverse("orgs:move", args=[county.branch_a2.pk]), {"new_parent": county.town_b.pk}
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=county.branch_a2.pk)
    assert Organization.objects.get_parent(org).pk == county.town_b.pk
    record = org.history.order_by("-history_id").first()
    assert record.history_user == people.alice
    assert "东坝镇党委" in record.history_change_reason and "西湖乡党委" in record.history_change_reason


@pytest.mark.parametrize("target", ["town_b", "branch_a2", "county", "garbage", "huge"])
def test_move_target_must_be_in_the_managers_scope(client_for, people, county, target):
    value = {"garbage": "abc", "huge": "99999999999999999999"}.get(target)
    if value is None:
        value = getattr(county, target).pk
    response = client_for(people.bob).post(
        reverse("orgs:move", args=[county.branch_a1.pk]), {"new_parent": value}
    )
    assert response.status_code == 200 and "new_parent" in response.context["form"].errors
    org = Organization.objects.get(pk=county.branch_a1.pk)
    assert Organization.objects.get_parent(org).pk == county.town_a.pk


def test_move_that_breaks_the_level_rules_is_refused(client_for, people, county):
    general = OrganizationFactory(parent=county.town_b, code="G", level=Level.GENERAL_BRANCH)
    response = client_for(people.alice).post(
        reverse("orgs:move", args=[county.town_a.pk]), {"new_parent": general.pk}
    )
    assert response.status_code == 200 and "new_parent" in response.context["form"].errors
    org = Organization.objects.get(pk=county.town_a.pk)
    assert Organization.objects.get_parent(org).pk == county.county.pk


# --- deactivate / reactivate --------------------------------------------------


def test_deactivate_and_reactivate_are_recorded(client_for, people, county):
    client = client_for(people.bob)
    url = reverse("orgs:set_active", args=[county.branch_a2.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    assert not Organization.objects.get(pk=county.branch_a2.pk).is_active
    assert client.post(url, {"active": "1"}).status_code == 302
    org = Organization.objects.get(pk=county.branch_a2.pk)
    assert org.is_active
    users = [r.history_user for r in org.history.order_by("-history_id")[:2]]
    assert users == [people.bob, people.bob]


def test_deactivating_an_org_with_active_children_is_refused_with_a_message(
    client_for, people, county
):
    client = client_for(people.alice)
    response = client.post(
        reverse("orgs:set_active", args=[county.town_a.pk]), {"active": "0"}, follow=True
    )
    assert Organization.objects.get(pk=county.town_a.pk).is_active
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_set_active_with_a_bad_value_is_400(client_for, people, county):
    client = client_for(people.bob)
    url = reverse("orgs:set_active", args=[county.branch_a2.pk])
    assert client.post(url, {"active": "maybe"}).status_code == 400
    assert client.post(url).status_code == 400
    assert Organization.objects.get(pk=county.branch_a2.pk).is_active


@pytest.mark.parametrize(
    "bad",
    [
        {"member_count": "99999999999999999999"},
        {"venue_area": "1e400"},
        {"venue_area": "NaN"},
        {"venue_area": "12345678901"},
        {"founded_on": "0000-01-01"},
        {"code": "x" * 40},
        {"code": "带 空格"},
        {"name": "名" * 101},
        {"category": "99999999999999999999"},
        {"level": "king"},
    ],
)
def test_create_with_bad_input_is_a_form_error(client_for, people, county, bad):
    data = dict(NEW_BRANCH, **bad)
    response = client_for(people.bob).post(reverse("orgs:create", args=[county.town_a.pk]), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == set(bad)
    assert not Organization.objects.filter(code=data["code"]).exists()


def test_list_sorts_by_area_with_blanks_last(client_for, people, county):
    Organization.objects.filter(code="A1").update(venue_area=50)
    Organization.objects.filter(code="A2").update(venue_area=80)
    client = client_for(people.bob)
    assert codes(client.get(reverse("orgs:list"), {"sort": "-area"}), "org-row") == ["A2", "A1", "A"]
    assert codes(client.get(reverse("orgs:list"), {"sort": "area"}), "org-row") == ["A1", "A2", "A"]
