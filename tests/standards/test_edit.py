"""Editing drafts and a set's life in the pages: create, dimensions, items, publish,
new version, retire, delete. Only county staff over the issuer change a set; a
published set is refused by the page and, underneath, by the model.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from standards.models import Dimension, FrozenError, SetStatus, StandardItem, StandardSet

from ..factories import category
from .set_builders import build_set, other_county_with_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(county, people):
    return build_set(county.county, people.alice, code="sanhua", name="三化标准")


@pytest.fixture
def published(county, people):
    return build_set(county.county, people.alice, publish=True)


def snapshot():
    return (
        list(StandardSet.objects.order_by("pk").values()),
        list(Dimension.objects.order_by("pk").values()),
        list(StandardItem.objects.order_by("pk").values()),
        sorted(StandardItem.categories.through.objects.values_list("standarditem_id", "category_id")),
    )


def write_urls(standard_set):
    """(method, url) of every write a set has, for the scoping tests."""
    item = standard_set.items.first()
    dimension = standard_set.dimensions.first()
    pk = standard_set.pk
    return [
        ("get", reverse("standards:set_create")),
        ("post", reverse("standards:set_create")),
        ("get", reverse("standards:set_edit", args=[pk])),
        ("post", reverse("standards:set_edit", args=[pk])),
        ("get", reverse("standards:dimension_create", args=[pk])),
        ("post", reverse("standards:dimension_create", args=[pk])),
        ("get", reverse("standards:dimension_edit", args=[dimension.pk])),
        ("post", reverse("standards:dimension_edit", args=[dimension.pk])),
        ("get", reverse("standards:item_create", args=[pk])),
        ("post", reverse("standards:item_create", args=[pk])),
        ("get", reverse("standards:item_edit", args=[item.pk])),
        ("post", reverse("standards:item_edit", args=[item.pk])),
        ("post", reverse("standards:item_delete", args=[item.pk])),
        ("post", reverse("standards:set_publish", args=[pk])),
        ("post", reverse("standards:set_new_version", args=[pk])),
        ("post", reverse("standards:set_retire", args=[pk])),
        ("post", reverse("standards:set_delete", args=[pk])),
    ]


POST_ONLY = ["item_delete", "set_publish", "set_new_version", "set_retire", "set_delete"]


def test_anonymous_is_sent_to_login(client, draft):
    for method, url in write_urls(draft):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


@pytest.mark.parametrize("name", ["bob", "victor", "charlie", "dave", "erin", "harry", "nobody"])
def test_who_is_not_county_staff_changes_nothing(client_for, people, draft, published, name):
    client = client_for(getattr(people, name))
    before = snapshot()
    for standard_set in (draft, published):
        for method, url in write_urls(standard_set):
            response = getattr(client, method)(url, {"name": "改名", "code": "x"})
            # Readers and secretaries may not change a set (403); "nobody" sees no set at
            # all (404), except the create page, which is refused outright.
            expected = {403} if name != "nobody" or url.endswith("/new/") else {404}
            assert response.status_code in expected, (name, method, url, response.status_code)
    assert snapshot() == before


def test_another_county_staff_gets_404(client_for, draft, published):
    _root, _branch, zoe, _theirs = other_county_with_set()
    client = client_for(zoe)
    before = snapshot()
    for standard_set in (draft, published):
        for method, url in write_urls(standard_set):
            if url.endswith("/new/"):
                continue
            assert getattr(client, method)(url, {"name": "改名"}).status_code == 404, url
    assert snapshot() == before


def test_post_only_endpoints_refuse_get(client_for, people, draft):
    client = client_for(people.alice)
    item = draft.items.first()
    for name in POST_ONLY:
        arg = item.pk if name == "item_delete" else draft.pk
        assert client.get(reverse(f"standards:{name}", args=[arg])).status_code == 405, name


# ---------------------------------------------------------------- creating a set


def set_data(**fields):
    data = {
        "code": "bayou", "name": "八有标准", "year": 2026, "source_document": "seed 002",
        "description": "服务型党组织", "grade_levels": "好=1\n较好=0.8\n一般=0.6\n差=0",
    }
    data.update(fields)
    return data


def test_create_a_draft(client_for, people, county):
    client = client_for(people.alice)
    response = client.get(reverse("standards:set_create"))
    assert response.status_code == 200
    # Alice's county is the only choice, and it is preselected.
    assert list(response.context["form"].fields["organization"].queryset) == [county.county]
    response = client.post(reverse("standards:set_create"),
                           set_data(organization=county.county.pk))
    created = StandardSet.objects.get(code="bayou")
    assert response.status_code == 302
    assert response.url == reverse("standards:set_detail", args=[created.pk])
    assert (created.status, created.version, created.organization) == (
        SetStatus.DRAFT, 1, county.county
    )
    assert created.grade_levels[1] == {"label": "较好", "share": "0.8"}
    assert created.history.first().history_user == people.alice


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"code": "八有"}, "code"),
        ({"code": "wuhua"}, "code"),  # the library exists: make a new version instead
        ({"grade_levels": "好"}, "grade_levels"),
        ({"grade_levels": "好=2"}, "grade_levels"),
        ({"grade_levels": "好=1\n好=0.5"}, "grade_levels"),
        ({"grade_levels": "好=abc"}, "grade_levels"),
        ({"year": "明年"}, "year"),
        ({"name": ""}, "name"),
    ],
)
def test_create_refuses_bad_input(client_for, people, county, published, fields, field):
    before = snapshot()
    response = client_for(people.alice).post(
        reverse("standards:set_create"), set_data(organization=county.county.pk, **fields)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot() == before


def test_create_cannot_issue_for_another_county(client_for, people, county):
    root, _branch, _zoe, _theirs = other_county_with_set()
    before = snapshot()
    response = client_for(people.alice).post(reverse("standards:set_create"),
                                             set_data(organization=root.pk))
    assert "organization" in response.context["form"].errors
    assert snapshot() == before


# ---------------------------------------------------------------- editing a draft


def test_edit_a_draft(client_for, people, draft):
    client = client_for(people.alice)
    assert client.get(reverse("standards:set_edit", args=[draft.pk])).status_code == 200
    response = client.post(
        reverse("standards:set_edit", args=[draft.pk]),
        {"name": "三化标准（修订）", "year": 2027, "source_document": "", "description": "",
         "grade_levels": "达标=1\n不达标=0"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "三化标准（修订）" and draft.year == 2027
    assert draft.grade_levels == [{"label": "达标", "share": "1"}, {"label": "不达标", "share": "0"}]
    assert draft.history.first().history_user == people.alice


def test_a_published_set_is_not_edited(client_for, people, published):
    client = client_for(people.alice)
    before = snapshot()
    url = reverse("standards:set_edit", args=[published.pk])
    for response in (client.get(url), client.post(url, {"name": "改名", "year": 2027})):
        assert response.status_code == 302
        assert response.url == reverse("standards:set_detail", args=[published.pk])
    response = client.get(reverse("standards:set_detail", args=[published.pk]))
    assert "make a new version" in response.content.decode() or "新版本" in response.content.decode()
    assert snapshot() == before
    # And if a page let it through, the model would still refuse.
    published.name = "改名"
    with pytest.raises(FrozenError):
        published.save()


def test_dimensions(client_for, people, draft):
    client = client_for(people.alice)
    response = client.post(reverse("standards:dimension_create", args=[draft.pk]),
                           {"name": "经费保障", "ordering": 7, "weight": "20"})
    assert response.status_code == 302
    dimension = draft.dimensions.get(name="经费保障")
    assert dimension.weight == Decimal("20")
    response = client.post(reverse("standards:dimension_edit", args=[dimension.pk]),
                           {"name": "经费保障", "ordering": 1, "weight": ""})
    dimension.refresh_from_db()
    assert (dimension.ordering, dimension.weight) == (1, None)
    # Two dimensions of one name, a negative weight: refused on the form.
    for data in ({"name": "阵地建设规范化", "ordering": 1}, {"name": "新", "weight": "-1",
                                                          "ordering": 1}):
        before = snapshot()
        response = client.post(reverse("standards:dimension_create", args=[draft.pk]), data)
        assert response.status_code == 200 and response.context["form"].errors
        assert snapshot() == before
    assert client.get("/standards/dimensions/999999/edit/").status_code == 404


def test_dimensions_of_a_published_set_are_frozen(client_for, people, published):
    client = client_for(people.alice)
    before = snapshot()
    dimension = published.dimensions.first()
    for url in (reverse("standards:dimension_create", args=[published.pk]),
                reverse("standards:dimension_edit", args=[dimension.pk])):
        response = client.post(url, {"name": "新方面", "ordering": 1})
        assert response.status_code == 302
    assert snapshot() == before


def item_data(draft, **fields):
    data = {
        "dimension": draft.dimensions.get(name="阵地建设规范化").pk,
        "code": "NEW-1", "requirement": "党员活动室面积", "guidance": "", "kind": "number",
        "comparator": ">=", "threshold": "70", "unit": "㎡", "max_score": "5",
        "ordering": "", "categories": [category("village").pk, category("community").pk],
        "conditions_text": "党员人数>=10；示范点=是", "source": "seed 002，我们的表述",
        "is_veto": "", "evidence_required": "on",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    "kind,extra",
    [
        ("number", {}),
        ("number", {"proportional": "on", "comparator": ">", "threshold": "4.5", "unit": "次/年"}),
        ("check", {"comparator": "", "threshold": ""}),
        ("graded", {"comparator": "", "threshold": ""}),
        ("text", {"comparator": "", "threshold": ""}),
    ],
)
def test_add_items_of_each_kind(client_for, people, draft, kind, extra):
    response = client_for(people.alice).post(
        reverse("standards:item_create", args=[draft.pk]), item_data(draft, kind=kind, **extra)
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    item = draft.items.get(code="NEW-1")
    assert item.kind == kind
    assert {c.code for c in item.categories.all()} == {"village", "community"}
    assert item.conditions == [
        {"field": "member_count", "op": ">=", "value": "10"},
        {"field": "is_demonstration", "op": "=", "value": True},
    ]
    assert item.evidence_required and not item.is_veto
    assert item.ordering == 5  # after the four items already there
    if kind == "number":
        assert item.threshold == Decimal(extra.get("threshold", "70"))
    else:
        assert item.threshold is None and item.comparator == ""
    assert item.history.first().history_user == people.alice


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"threshold": ""}, "threshold"),
        ({"comparator": ""}, "comparator"),
        ({"conditions_text": "人数>=10"}, "conditions_text"),
        ({"conditions_text": "党员人数>=很多"}, "conditions_text"),
        ({"code": "ZD-01"}, "code"),
        ({"max_score": "-1"}, "max_score"),
        ({"kind": "essay"}, "kind"),
        ({"categories": ["999999"]}, "categories"),
        ({"threshold": "abc"}, "threshold"),
    ],
)
def test_item_form_refuses_bad_input(client_for, people, draft, fields, field):
    before = snapshot()
    response = client_for(people.alice).post(
        reverse("standards:item_create", args=[draft.pk]), item_data(draft, **fields)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert snapshot() == before


def test_item_cannot_be_put_in_another_sets_dimension(client_for, people, draft, published):
    before = snapshot()
    other_dimension = published.dimensions.first()
    response = client_for(people.alice).post(
        reverse("standards:item_create", args=[draft.pk]),
        item_data(draft, dimension=other_dimension.pk),
    )
    assert "dimension" in response.context["form"].errors
    assert snapshot() == before


def test_edit_and_delete_an_item(client_for, people, draft):
    client = client_for(people.alice)
    item = draft.items.get(code="ZD-01")
    url = reverse("standards:item_edit", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["conditions_text"].value() == "党员人数>=10"
    # Turning a number item into a check clears its threshold.
    response = client.post(url, item_data(draft, code="ZD-01", kind="check", conditions_text=""))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.threshold, item.comparator, item.conditions) == ("check", None, "", [])
    assert item.ordering == 1  # kept
    response = client.post(reverse("standards:item_delete", args=[item.pk]))
    assert response.status_code == 302
    assert not StandardItem.objects.filter(pk=item.pk).exists()
    assert client.get("/standards/items/999999/edit/").status_code == 404
    assert client.post("/standards/items/999999/delete/").status_code == 404


def test_items_of_a_published_set_are_frozen(client_for, people, published):
    client = client_for(people.alice)
    item = published.items.get(code="ZD-01")
    before = snapshot()
    for response in (
        client.get(reverse("standards:item_create", args=[published.pk])),
        client.post(reverse("standards:item_create", args=[published.pk]), item_data(published)),
        client.get(reverse("standards:item_edit", args=[item.pk])),
        client.post(reverse("standards:item_edit", args=[item.pk]),
                    item_data(published, code="ZD-01", max_score="50")),
        client.post(reverse("standards:item_delete", args=[item.pk])),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("standards:set_detail", args=[published.pk]))
    assert snapshot() == before


def test_adding_an_item_needs_a_dimension(client_for, people, county):
    from standards import services

    empty = services.set_create(organization=county.county, code="e", name="空", year=2026,
                                by=people.alice)
    response = client_for(people.alice).get(reverse("standards:item_create", args=[empty.pk]))
    assert response.status_code == 302
    assert response.url == reverse("standards:dimension_create", args=[empty.pk])


# ---------------------------------------------------------------- the set's life


def test_publish_refused_with_the_reasons(client_for, people, county):
    from standards import services

    empty = services.set_create(organization=county.county, code="e", name="空", year=2026,
                                by=people.alice)
    client = client_for(people.alice)
    response = client.post(reverse("standards:set_publish", args=[empty.pk]), follow=True)
    assert StandardSet.objects.get(pk=empty.pk).status == SetStatus.DRAFT
    messages = [str(m) for m in response.context["messages"]]
    assert messages and any("no items" in m or "没有" in m for m in messages), messages


def test_new_version_twice_and_retire_twice_are_refused_with_a_message(client_for, people,
                                                                      published):
    client = client_for(people.alice)
    first = client.post(reverse("standards:set_new_version", args=[published.pk]))
    assert first.status_code == 302
    again = client.post(reverse("standards:set_new_version", args=[published.pk]), follow=True)
    assert StandardSet.objects.filter(code="wuhua").count() == 2
    assert list(again.context["messages"])
    client.post(reverse("standards:set_retire", args=[published.pk]))
    again = client.post(reverse("standards:set_retire", args=[published.pk]), follow=True)
    assert list(again.context["messages"])
    assert StandardSet.objects.get(pk=published.pk).status == SetStatus.RETIRED


def test_delete(client_for, people, draft, published):
    client = client_for(people.alice)
    before = snapshot()
    response = client.post(reverse("standards:set_delete", args=[published.pk]))
    assert response.status_code == 302 and snapshot() == before  # refused, with a message
    v2 = StandardSet.objects.get(pk=client.post(
        reverse("standards:set_new_version", args=[published.pk])
    ).url.strip("/").split("/")[-1])
    # v1 is not a draft anyway; a draft that a later version came from cannot go either.
    response = client.post(reverse("standards:set_delete", args=[draft.pk]))
    assert response.url == reverse("standards:set_list")
    assert not StandardSet.objects.filter(pk=draft.pk).exists()
    assert not StandardItem.objects.filter(standard_set=draft.pk).exists()
    response = client.post(reverse("standards:set_delete", args=[v2.pk]))
    assert not StandardSet.objects.filter(pk=v2.pk).exists()


def test_full_flow_in_the_pages(client_for, people, county):
    """Create a draft, fill it, publish, fail to edit, new version, change, compare, retire."""
    client = client_for(people.alice)
    response = client.post(reverse("standards:set_create"), set_data(organization=county.county.pk))
    v1 = StandardSet.objects.get(code="bayou")
    for name in ("阵地建设规范化", "组织生活正常化"):
        client.post(reverse("standards:dimension_create", args=[v1.pk]),
                    {"name": name, "ordering": 1})
    kinds = {
        "N-1": {"kind": "number"},
        "C-1": {"kind": "check", "comparator": "", "threshold": "", "is_veto": "on"},
        "G-1": {"kind": "graded", "comparator": "", "threshold": ""},
        "T-1": {"kind": "text", "comparator": "", "threshold": "", "conditions_text": ""},
    }
    for code, fields in kinds.items():
        response = client.post(reverse("standards:item_create", args=[v1.pk]),
                               item_data(v1, code=code, **fields))
        assert response.status_code == 302, code
    detail = client.get(reverse("standards:set_detail", args=[v1.pk]))
    assert detail.context["item_count"] == 4 and not detail.context["problems"]

    response = client.post(reverse("standards:set_publish", args=[v1.pk]))
    v1.refresh_from_db()
    assert v1.status == SetStatus.PUBLISHED

    # Editing the published set: refused by the page...
    before = snapshot()
    item = v1.items.get(code="N-1")
    response = client.post(reverse("standards:item_edit", args=[item.pk]),
                           item_data(v1, code="N-1", threshold="80"))
    assert response.status_code == 302
    assert snapshot() == before
    # ...and by the model.
    item.threshold = 80
    with pytest.raises(FrozenError):
        item.save()

    response = client.post(reverse("standards:set_new_version", args=[v1.pk]))
    v2 = StandardSet.objects.get(code="bayou", version=2)
    assert response.url == reverse("standards:set_detail", args=[v2.pk])
    assert v2.previous == v1 and v2.items.count() == 4
    item2 = v2.items.get(code="N-1")
    response = client.post(reverse("standards:item_edit", args=[item2.pk]),
                           item_data(v2, code="N-1", threshold="80"))
    assert response.status_code == 302

    comparison = client.get(reverse("standards:compare"), {"b": v2.pk}).context["comparison"]
    assert [c.code for c in comparison.changed] == ["N-1"]
    assert not comparison.added and not comparison.removed and comparison.unchanged == 3

    client.post(reverse("standards:set_publish", args=[v2.pk]))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (SetStatus.RETIRED, SetStatus.PUBLISHED)
    client.post(reverse("standards:set_retire", args=[v2.pk]))
    v2.refresh_from_db()
    assert v2.status == SetStatus.RETIRED
    # Retired sets stay readable.
    assert client.get(reverse("standards:set_detail", args=[v2.pk])).status_code == 200
    assert client_for(people.bob).get(
        reverse("standards:set_detail", args=[v1.pk])
    ).status_code == 200
