"""The standards core: the freeze, versions, conditions, scoring and who sees which set."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from orgs.models import Level
from standards import services
from standards.conditions import (
    conditions_hold,
    format_conditions,
    item_applies,
    parse_conditions,
    validate_conditions,
)
from standards.models import (
    Dimension,
    FrozenError,
    ItemKind,
    SetStatus,
    StandardItem,
    StandardSet,
)
from standards.scoring import item_score

from ..factories import category
from .set_builders import build_set, other_county_with_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(county, people):
    return build_set(county.county, people.alice, publish=True)


def snapshot():
    """Every row of the library, to prove a refused change changed nothing."""
    return (
        list(StandardSet.objects.order_by("pk").values()),
        list(Dimension.objects.order_by("pk").values()),
        list(StandardItem.objects.order_by("pk").values()),
        sorted(StandardItem.categories.through.objects.values_list("standarditem_id", "category_id")),
    )


# ---------------------------------------------------------------- the freeze


def test_published_set_refuses_save_and_delete(published):
    before = snapshot()
    published.name = "改名"
    with pytest.raises(FrozenError):
        published.save()
    published.refresh_from_db()
    with pytest.raises(FrozenError):
        published.delete()
    assert snapshot() == before


def test_retired_set_cannot_come_back(published, people):
    services.set_retire(standard_set=published, by=people.alice)
    before = snapshot()
    published.status = SetStatus.PUBLISHED
    with pytest.raises(FrozenError):
        published.save()
    assert snapshot() == before


def test_published_set_refuses_bulk_update_and_delete(published):
    before = snapshot()
    with pytest.raises(FrozenError):
        StandardSet.objects.filter(pk=published.pk).update(name="改名")
    with pytest.raises(FrozenError):
        StandardSet.objects.filter(pk=published.pk).update(status=SetStatus.DRAFT)
    with pytest.raises(FrozenError):
        StandardSet.objects.filter(pk=published.pk).delete()
    assert snapshot() == before


def test_items_and_dimensions_of_a_published_set_refuse_every_write(published):
    before = snapshot()
    item = published.items.get(code="ZS-01")
    dimension = published.dimensions.first()
    item.max_score = Decimal("99")
    with pytest.raises(FrozenError):
        item.save()
    with pytest.raises(FrozenError):
        item.delete()
    with pytest.raises(FrozenError):
        StandardItem(
            standard_set=published, dimension=dimension, code="NEW", requirement="新增",
            kind=ItemKind.CHECK, max_score=1,
        ).save()
    with pytest.raises(FrozenError):
        StandardItem.objects.filter(standard_set=published).update(max_score=1)
    with pytest.raises(FrozenError):
        StandardItem.objects.filter(standard_set=published).delete()
    dimension.name = "改名"
    with pytest.raises(FrozenError):
        dimension.save()
    with pytest.raises(FrozenError):
        dimension.delete()
    with pytest.raises(FrozenError):
        Dimension.objects.filter(standard_set=published).update(weight=1)
    with pytest.raises(FrozenError):
        Dimension.objects.filter(standard_set=published).delete()
    assert snapshot() == before


def test_an_item_cannot_move_out_of_a_frozen_set(published, county, people):
    draft = build_set(county.county, people.alice, code="other")
    item = draft.items.first()
    item.standard_set = published
    with pytest.raises(FrozenError):
        item.save()


def test_categories_of_a_published_item_are_frozen_from_both_sides(published):
    before = snapshot()
    item = published.items.get(code="ZD-01")  # village
    village, school = category("village"), category("school")
    attempts = [
        lambda: item.categories.add(school),
        lambda: item.categories.remove(village),
        lambda: item.categories.clear(),
        lambda: item.categories.set([school]),
        lambda: school.standard_items.add(item),
        lambda: village.standard_items.remove(item),
        lambda: village.standard_items.clear(),
        lambda: school.standard_items.set([item]),
    ]
    for attempt in attempts:
        # The related manager writes inside atomic(savepoint=False): a savepoint of
        # our own keeps the test's transaction usable after the refusal.
        with pytest.raises(FrozenError), transaction.atomic():
            attempt()
    assert snapshot() == before


def test_a_draft_changes_freely(county, people):
    draft = build_set(county.county, people.alice)
    item = draft.items.get(code="ZD-01")
    item.categories.add(category("school"))
    item.max_score = Decimal("6")
    item.save()
    draft.name = "新名称"
    draft.save()
    assert StandardItem.objects.get(pk=item.pk).max_score == Decimal("6")


# ---------------------------------------------------------------- versions


def test_new_version_copies_everything(published, people):
    dimension = published.dimensions.get(name="阵地建设规范化")
    # Weights are set on a draft; make one with a weight to copy.
    copy = services.set_new_version(standard_set=published, by=people.alice)
    weighted = copy.dimensions.get(name=dimension.name)
    weighted.weight = Decimal("30")
    weighted.save()
    services.set_publish(standard_set=copy, by=people.alice)
    copy.refresh_from_db()
    third = services.set_new_version(standard_set=copy, by=people.alice)

    assert (third.version, third.status, third.previous_id) == (3, SetStatus.DRAFT, copy.pk)
    assert third.code == published.code and third.organization_id == published.organization_id

    def content(s):
        return sorted(
            (i.dimension.name, i.code, i.requirement, i.kind, i.comparator, i.threshold, i.unit,
             i.proportional, i.max_score, i.is_veto, i.evidence_required, i.guidance, i.source,
             tuple(sorted(c.code for c in i.categories.all())), repr(i.conditions))
            for i in s.items.select_related("dimension").prefetch_related("categories")
        )

    assert content(third) == content(published)
    assert third.dimensions.get(name=dimension.name).weight == Decimal("30")
    assert list(third.dimensions.values_list("name", flat=True)) == list(
        published.dimensions.values_list("name", flat=True)
    )


def test_only_one_draft_per_library(published, people):
    services.set_new_version(standard_set=published, by=people.alice)
    with pytest.raises(ValidationError):
        services.set_new_version(standard_set=published, by=people.alice)


def test_publish_retires_the_older_published_version(published, people):
    copy = services.set_new_version(standard_set=published, by=people.alice)
    services.set_publish(standard_set=copy, by=people.alice)
    published.refresh_from_db()
    copy.refresh_from_db()
    assert published.status == SetStatus.RETIRED and published.retired_at is not None
    assert copy.status == SetStatus.PUBLISHED and copy.published_at is not None


def test_publish_refuses_an_empty_or_invalid_draft(county, people):
    empty = services.set_create(organization=county.county, code="empty", name="空", year=2026,
                                by=people.alice)
    assert services.check_publishable(empty)
    with pytest.raises(ValidationError):
        services.set_publish(standard_set=empty, by=people.alice)
    empty.refresh_from_db()
    assert empty.status == SetStatus.DRAFT
    draft = build_set(county.county, people.alice, code="bad")
    # A number item that lost its threshold (written around the form).
    StandardItem.objects.filter(standard_set=draft, code="ZD-01").update(threshold=None)
    problems = services.check_publishable(draft)
    assert any(p.startswith("ZD-01") for p in problems)
    draft.grade_levels = []
    draft.save()
    assert len(services.check_publishable(draft)) == 2


def test_retire_only_a_published_set(county, people, published):
    draft = build_set(county.county, people.alice, code="draft")
    with pytest.raises(ValidationError):
        services.set_retire(standard_set=draft, by=people.alice)
    services.set_retire(standard_set=published, by=people.alice)
    assert StandardSet.objects.get(pk=published.pk).status == SetStatus.RETIRED


# ---------------------------------------------------------------- conditions


def test_conditions_parse_and_format_round_trip():
    text = "党员人数>=10；示范点=是；层级=党支部；阵地面积<70.5"
    conditions = parse_conditions(text)
    assert conditions == [
        {"field": "member_count", "op": ">=", "value": "10"},
        {"field": "is_demonstration", "op": "=", "value": True},
        {"field": "level", "op": "=", "value": Level.BRANCH},
        {"field": "venue_area", "op": "<", "value": "70.5"},
    ]
    assert format_conditions(conditions) == text
    assert parse_conditions(" 党员人数 ≥ 10 且 示范点 = 否 ") == [
        {"field": "member_count", "op": ">=", "value": "10"},
        {"field": "is_demonstration", "op": "=", "value": False},
    ]
    assert parse_conditions("") == [] and format_conditions([]) == ""


@pytest.mark.parametrize(
    "text",
    ["人数>=10", "党员人数>=十", "示范点=也许", "党员人数", "层级=大队", "示范点>=是",
     "党员人数>=NaN"],
)
def test_bad_conditions_are_refused_with_a_message(text):
    with pytest.raises(ValidationError) as info:
        parse_conditions(text)
    assert info.value.messages


@pytest.mark.parametrize(
    "conditions",
    ["x", [1], [{"field": "member_count", "op": ">="}],
     [{"field": "age", "op": ">=", "value": 1}],
     [{"field": "member_count", "op": "~", "value": 1}],
     [{"field": "is_demonstration", "op": "=", "value": "是"}]],
)
def test_bad_stored_conditions_are_refused(conditions):
    with pytest.raises(ValidationError):
        validate_conditions(conditions)


def test_conditions_hold_on_the_organization_facts(county):
    org = county.branch_a1  # 12 members, no venue area recorded, village branch
    assert conditions_hold(parse_conditions("党员人数>=10"), org)
    assert not conditions_hold(parse_conditions("党员人数>=13"), org)
    assert conditions_hold(parse_conditions("阵地面积<1"), org)  # missing counts as 0
    assert conditions_hold(parse_conditions("层级=党支部；示范点=否"), org)
    assert not conditions_hold(parse_conditions("层级!=党支部"), org)
    assert conditions_hold([], org)


def test_item_applies_by_category_and_conditions(county, people):
    draft = build_set(county.county, people.alice)
    items = {i.code: i for i in draft.items.prefetch_related("categories")}
    village_branch, community_branch = county.branch_a1, county.branch_b1
    assert item_applies(items["ZD-01"], village_branch)  # village, 12 >= 10 members
    assert not item_applies(items["ZD-01"], community_branch)
    village_branch.member_count = 9
    assert not item_applies(items["ZD-01"], village_branch)
    assert item_applies(items["ZS-01"], community_branch)  # no category: every one
    assert item_applies(items["ZB-01"], community_branch)


# ---------------------------------------------------------------- scoring


def _item(kind, **fields):
    return StandardItem(kind=kind, max_score=Decimal("10"), **fields)


@pytest.mark.parametrize(
    "comparator,threshold,value,expected",
    [
        (">=", "70", "70", "10"), (">=", "70", "69.99", "0.00"), (">=", "70", "100", "10"),
        (">", "70", "70", "0.00"), (">", "70", "70.01", "10"),
        ("<=", "5", "5", "10"), ("<=", "5", "5.01", "0.00"),
        ("<", "5", "5", "0.00"), ("<", "5", "4.99", "10"),
        ("=", "12", "12", "10"), ("=", "12", "12.5", "0.00"),
    ],
)
def test_number_items_at_the_threshold(comparator, threshold, value, expected):
    item = _item(ItemKind.NUMBER, comparator=comparator, threshold=Decimal(threshold))
    assert item_score(item, value) == Decimal(expected)


def test_number_items_proportional_below_the_threshold():
    item = _item(ItemKind.NUMBER, comparator=">=", threshold=Decimal("70"), proportional=True)
    assert item_score(item, "35") == Decimal("5.00")
    assert item_score(item, "69") == Decimal("9.86")
    assert item_score(item, "0") == Decimal("0.00")
    assert item_score(item, "80") == Decimal("10")
    # Proportional means nothing for an upper bound: over it is simply 0.
    upper = _item(ItemKind.NUMBER, comparator="<=", threshold=Decimal("5"), proportional=True)
    assert item_score(upper, "6") == Decimal("0.00")


def test_check_items():
    item = _item(ItemKind.CHECK)
    for yes in (True, "true", "是", "1", 1):
        assert item_score(item, yes) == Decimal("10")
    for no in (False, "false", "否", "0", 0):
        assert item_score(item, no) == Decimal("0.00")
    assert item_score(item, None) is None and item_score(item, "") is None


def test_graded_items_by_share(county, people):
    draft = build_set(county.county, people.alice)
    item = draft.items.get(code="ZB-01")  # graded, max 4
    shares = draft.grade_shares()
    assert [item_score(item, level, grade_shares=shares) for level in ("好", "较好", "一般", "差")] == [
        Decimal("4.00"), Decimal("3.20"), Decimal("2.40"), Decimal("0.00")
    ]
    assert item_score(item, "较好") == Decimal("3.20")  # the set's own levels by default
    with pytest.raises(ValueError):
        item_score(item, "优秀", grade_shares=shares)


def test_text_items_are_clamped_to_the_score():
    item = _item(ItemKind.TEXT)
    assert item_score(item, "7.5") == Decimal("7.50")
    assert item_score(item, "12") == Decimal("10.00")
    assert item_score(item, "-3") == Decimal("0.00")


# ---------------------------------------------------------------- who sees which set


def test_lineage_the_county_set_is_seen_down_the_tree_not_next_door(county, people, published):
    root, branch, zoe, theirs = other_county_with_set()
    own_branch_set = build_set(county.branch_a1, people.alice, code="branch-own")
    visible = {
        name: set(StandardSet.objects.visible_to(getattr(people, name)).values_list("pk", flat=True))
        for name in ("alice", "bob", "charlie", "dave", "erin", "harry", "victor", "nobody", "root")
    }
    # Everyone in the county reads the county's set (it is above their scope) ...
    for name in ("alice", "bob", "charlie", "dave", "erin", "harry", "victor"):
        assert published.pk in visible[name], name
        assert theirs.pk not in visible[name], name
    # ... a set issued by a branch is seen inside and above it, not by its sibling.
    assert own_branch_set.pk in visible["dave"] and own_branch_set.pk in visible["bob"]
    assert own_branch_set.pk in visible["alice"]
    assert own_branch_set.pk not in visible["erin"] and own_branch_set.pk not in visible["charlie"]
    assert visible["nobody"] == set()
    assert {published.pk, theirs.pk, own_branch_set.pk} <= visible["root"]
    assert set(StandardSet.objects.visible_to(zoe).values_list("pk", flat=True)) == {theirs.pk}
