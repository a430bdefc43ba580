"""Scoring: every item kind, veto, thresholds at their edges, weights, applicability.

Most tests build items, dimensions and the grading rule in memory (unsaved model
instances with a pk set by hand): `assessments.scoring.score` is a pure function
and needs no database. The tests over `small_set` check what the services feed it:
the items that apply to an organization, and the stages.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import Campaign, Grade, ItemResponse
from assessments.scoring import grade_for, parse_value, score, stars_for
from standards.models import (
    Dimension,
    ItemKind,
    StandardItem,
    StandardSet,
    default_grade_levels,
)

from .conftest import answers_for

D = Decimal
SHARES = {"好": D("1"), "较好": D("0.8"), "一般": D("0.6"), "差": D("0")}

# ---------------------------------------------------------------- builders (no database)

_next_pk = iter(range(1, 10_000))


def dim(name="支部建设标准化", weight=None):
    return Dimension(pk=next(_next_pk), name=name, weight=None if weight is None else D(weight))


def item(kind, max_score="10", dimension=None, **fields):
    return StandardItem(
        pk=next(_next_pk), kind=kind, max_score=D(max_score),
        dimension=dimension or dim(), code=f"X-{next(_next_pk)}", **fields,
    )


def number(comparator=">=", threshold="70", **fields):
    return item(ItemKind.NUMBER, comparator=comparator, threshold=D(threshold), **fields)


def rule(advanced="90", general="70", veto=True, stars=("60", "70", "80", "90", "95")):
    """An unsaved Campaign as the grading rule, as the services pass one."""
    return Campaign(advanced_min=D(advanced), general_min=D(general), veto_forces_lagging=veto,
                    star_thresholds=list(stars))


def one(it, value, stage="final", the_rule=None):
    """The result of scoring one item alone (its total is its percentage)."""
    return score(items=[it], values={it.pk: value}, rule=the_rule or rule(),
                 grade_shares=SHARES, stage=stage)


# ---------------------------------------------------------------- item kinds


@pytest.mark.parametrize("value, earned", [("true", "10"), ("false", "0"), ("", None)])
def test_check_item(value, earned):
    result = one(item(ItemKind.CHECK), value)
    assert result.items[0].score == (None if earned is None else D(earned))


@pytest.mark.parametrize(
    "comparator, threshold, value, earned",
    [
        (">=", "70", "70", "10"),      # exactly the threshold meets ≥
        (">=", "70", "69.99", "0"),    # a cent short does not
        (">", "70", "70", "0"),        # > is not met at the threshold
        (">", "70", "70.01", "10"),
        ("<=", "5", "5", "10"),
        ("<=", "5", "5.01", "0"),
        ("<", "5", "5", "0"),
        ("<", "5", "4.99", "10"),
        ("=", "12", "12", "10"),
        ("=", "12", "12.01", "0"),
    ],
)
def test_number_item_at_the_threshold_edge(comparator, threshold, value, earned):
    it = number(comparator, threshold)
    assert one(it, value).items[0].score == D(earned)


def test_number_item_proportional_below_the_threshold():
    it = number(">=", "12", proportional=True, max_score="20")
    assert one(it, "6").items[0].score == D("10.00")
    assert one(it, "12").items[0].score == D("20")
    assert one(it, "30").items[0].score == D("20")
    assert one(it, "0").items[0].score == D("0")
    # ≤ items have no proportional share: over the limit is 0.
    upper = number("<=", "5", proportional=True)
    assert one(upper, "6").items[0].score == D("0")
    assert one(upper, "5").items[0].score == D("10")


def test_proportional_short_of_the_threshold_never_rounds_up_to_full_marks():
    # 69.99 of 70 is 99.99 %: rounded to cents that would be full marks, and a
    # veto item would then pass without meeting its threshold.
    it = number(">=", "70", proportional=True, is_veto=True)
    result = one(it, "69.99")
    assert result.items[0].score == D("9.99") and result.items[0].fell_short
    assert result.veto_failed
    # "> 70" at 70 is not met either, though it reaches 100 % of the threshold.
    strict = number(">", "70", proportional=True)
    assert one(strict, "70").items[0].score == D("9.99")
    assert one(strict, "70.01").items[0].score == D("10")


@pytest.mark.parametrize("level, earned", [("好", "10"), ("较好", "8"), ("一般", "6"), ("差", "0")])
def test_graded_item_by_the_sets_shares(level, earned):
    assert one(item(ItemKind.GRADED), level).items[0].score == D(earned)


def test_graded_item_uses_the_shares_given():
    own = {"优": D("1"), "良": D("0.75"), "差": D("0.25")}
    it = item(ItemKind.GRADED, max_score="4")
    result = score(items=[it], values={it.pk: "良"}, rule=rule(), grade_shares=own)
    assert result.items[0].score == D("3.00")


@pytest.mark.parametrize("value, earned", [("7.5", "7.5"), ("-3", "0"), ("12", "10"), ("0", "0")])
def test_text_item_score_is_clamped_to_0_and_max(value, earned):
    assert one(item(ItemKind.TEXT), value).items[0].score == D(earned)


@pytest.mark.parametrize("kind", [ItemKind.CHECK, ItemKind.GRADED, ItemKind.TEXT, ItemKind.NUMBER])
def test_unanswered_items_score_none_and_the_total_too(kind):
    it = number() if kind == ItemKind.NUMBER else item(kind)
    for missing in (None, ""):
        result = one(it, missing)
        assert result.items[0].score is None and not result.items[0].answered
        assert result.total is None and result.grade == "" and result.stars is None
    # Nothing in `values` at all is the same as unanswered.
    assert score(items=[it], values={}, rule=rule(), grade_shares=SHARES).total is None


def test_unanswered_items_count_as_nothing_against_the_full_score():
    a, b = item(ItemKind.CHECK), item(ItemKind.CHECK)
    result = score(items=[a, b], values={a.pk: "true"}, rule=rule(), grade_shares=SHARES)
    assert result.total == D("50.00") and result.answered == 1


def test_parse_value_refuses_what_is_not_a_number():
    it = number()
    assert parse_value(it, "abc") is None
    assert parse_value(it, "NaN") is None and parse_value(it, "Infinity") is None
    assert parse_value(it, "70.5") == D("70.5")
    assert parse_value(item(ItemKind.CHECK), "false") is False


# ---------------------------------------------------------------- veto


def _with_veto(veto_value):
    veto = item(ItemKind.CHECK, is_veto=True)
    others = [item(ItemKind.CHECK, max_score="90")]
    return [veto, *others], {veto.pk: veto_value, others[0].pk: "true"}


def test_failed_veto_forces_lagging_even_at_a_high_score():
    items, values = _with_veto("false")
    result = score(items=items, values=values, rule=rule(veto=True), grade_shares=SHARES)
    assert result.veto_failed and result.total == D("90.00")
    assert result.grade == Grade.LAGGING
    # A branch made 后进 by a veto earns no star, whatever its points.
    assert result.stars == 0


def test_failed_veto_with_the_rule_off_grades_by_the_score():
    items, values = _with_veto("false")
    result = score(items=items, values=values, rule=rule(veto=False), grade_shares=SHARES)
    assert result.veto_failed and result.grade == Grade.ADVANCED
    assert result.stars == 4  # with the rule off the stars follow the score too


def test_a_veto_failed_at_100_points_is_still_lagging():
    # A zero-point 否决项 answered "no" costs no point, yet it fails: the total is
    # 100 and the grade is still 后进 (and 先进 with the rule off).
    veto = item(ItemKind.CHECK, max_score="0", is_veto=True)
    rest = item(ItemKind.CHECK, max_score="100")
    values = {veto.pk: "false", rest.pk: "true"}
    result = score(items=[veto, rest], values=values, rule=rule(), grade_shares=SHARES)
    assert result.total == D("100.00") and result.veto_failed
    assert result.grade == Grade.LAGGING and result.items[0].fell_short
    relaxed = score(items=[veto, rest], values=values, rule=rule(veto=False), grade_shares=SHARES)
    assert relaxed.grade == Grade.ADVANCED
    assert grade_for(D("100"), True, rule()) == Grade.LAGGING
    assert grade_for(D("100"), True, rule(veto=False)) == Grade.ADVANCED


def test_a_passed_or_unanswered_veto_does_not_fail():
    items, values = _with_veto("true")
    assert not score(items=items, values=values, rule=rule(), grade_shares=SHARES).veto_failed
    items, values = _with_veto("")
    result = score(items=items, values=values, rule=rule(), grade_shares=SHARES)
    assert not result.veto_failed and result.grade == Grade.ADVANCED  # 90 of 100


def test_a_number_veto_short_of_its_threshold_fails():
    veto = number(">=", "70", is_veto=True)
    assert one(veto, "69").veto_failed
    assert not one(veto, "70").veto_failed


# ---------------------------------------------------------------- grade and stars at their edges


@pytest.mark.parametrize(
    "total, grade",
    [("90", Grade.ADVANCED), ("89.99", Grade.GENERAL), ("100", Grade.ADVANCED),
     ("70", Grade.GENERAL), ("69.99", Grade.LAGGING), ("0", Grade.LAGGING)],
)
def test_grade_thresholds_at_their_edges(total, grade):
    assert grade_for(D(total), False, rule()) == grade


def test_grade_edges_through_score():
    it = item(ItemKind.TEXT, max_score="100")
    assert one(it, "90").grade == Grade.ADVANCED
    assert one(it, "89.99").grade == Grade.GENERAL
    assert one(it, "70").grade == Grade.GENERAL
    assert one(it, "69.99").grade == Grade.LAGGING
    assert grade_for(None, False, rule()) == ""


@pytest.mark.parametrize(
    "total, stars",
    [("59.99", 0), ("60", 1), ("69.99", 1), ("70", 2), ("80", 3), ("89.99", 3), ("90", 4),
     ("94.99", 4), ("95", 5), ("100", 5)],
)
def test_star_thresholds_at_their_edges(total, stars):
    assert stars_for(D(total), ["60", "70", "80", "90", "95"]) == stars


def test_no_star_thresholds_means_no_stars():
    assert stars_for(D("100"), []) is None
    assert stars_for(None, ["60"]) is None
    it = item(ItemKind.CHECK)
    assert one(it, "true", the_rule=rule(stars=())).stars is None
    # Numbers as well as strings: the JSON may hold either.
    assert stars_for(D("75"), [60, 70.0, 80]) == 2


# ---------------------------------------------------------------- dimensions and weights


def _two_dimensions(weight_a=None, weight_b=None):
    a, b = dim("支部建设标准化", weight_a), dim("阵地建设规范化", weight_b)
    items = [item(ItemKind.CHECK, "10", a), item(ItemKind.CHECK, "30", b)]
    values = {items[0].pk: "true", items[1].pk: "false"}
    return items, values


def test_without_weights_dimensions_count_by_their_points():
    items, values = _two_dimensions()
    result = score(items=items, values=values, rule=rule(), grade_shares=SHARES)
    assert result.total == D("25.00")  # 10 of 40
    assert result.dimensions["支部建设标准化"].percent == D("100.00")
    assert result.dimension_scores()["阵地建设规范化"] == {"score": "0", "max": "30", "percent": "0.00"}


def test_dimension_weights_change_the_total():
    items, values = _two_dimensions("50", "50")
    assert score(items=items, values=values, rule=rule(), grade_shares=SHARES).total == D("50.00")
    items, values = _two_dimensions("80", "20")
    result = score(items=items, values=values, rule=rule(), grade_shares=SHARES)
    assert result.total == D("80.00") and result.grade == Grade.GENERAL


def test_a_dimension_with_no_applicable_items_does_not_count():
    a, b = dim("甲", "50"), dim("乙", "50")
    only = item(ItemKind.CHECK, "10", a)
    # Dimension 乙 has no item that applies: the total is over 甲 alone.
    result = score(items=[only], values={only.pk: "true"}, rule=rule(), grade_shares=SHARES)
    assert result.total == D("100.00") and b.name not in result.dimensions


def test_self_stage_skips_written_answers():
    check, text = item(ItemKind.CHECK, "10"), item(ItemKind.TEXT, "10")
    values = {check.pk: "true", text.pk: "0"}
    assert score(items=[check, text], values=values, rule=rule(), grade_shares=SHARES,
                 stage="self").total == D("100.00")
    assert score(items=[check, text], values=values, rule=rule(), grade_shares=SHARES,
                 stage="final").total == D("50.00")


# ---------------------------------------------------------------- clean_value per kind


def _in_set(it):
    it.standard_set = StandardSet(grade_levels=default_grade_levels())
    return it


def test_clean_value_check():
    it = item(ItemKind.CHECK)
    assert services.clean_value(it, "true") == "true"
    assert services.clean_value(it, "false") == "false"
    assert services.clean_value(it, "") == ""
    for bad in ("yes", "1", "是", "TRUE"):
        with pytest.raises(ValidationError):
            services.clean_value(it, bad)


def test_clean_value_number():
    it = number()
    assert services.clean_value(it, "70") == "70"
    assert services.clean_value(it, "70.50") == "70.50"
    assert services.clean_value(it, "0") == "0"
    assert services.clean_value(it, "12.3456") == "12.3456"
    # What would not fit the stored text (50 characters) is refused, not a 500.
    for bad in ("-1", "abc", "NaN", "inf", "1e999999999999", "1" + "0" * 60, "0.00001"):
        with pytest.raises(ValidationError):
            services.clean_value(it, bad)


def test_clean_value_graded():
    it = _in_set(item(ItemKind.GRADED))
    assert services.clean_value(it, "较好") == "较好"
    with pytest.raises(ValidationError):
        services.clean_value(it, "优秀")


def test_clean_value_text_is_a_score_within_0_and_max():
    it = item(ItemKind.TEXT, max_score="5")
    assert services.clean_value(it, "5") == "5"
    assert services.clean_value(it, "2.5") == "2.5"
    for bad in ("5.01", "-0.5", "好"):
        with pytest.raises(ValidationError):
            services.clean_value(it, bad)


# ---------------------------------------------------------------- over the database: small_set


@pytest.mark.django_db
def test_applicable_items_for_a_village_and_a_community(campaign, county):
    a1 = campaign.assessments.get(organization=county.branch_a1)
    b1 = campaign.assessments.get(organization=county.branch_b1)
    village = [i.code for i in services.applicable_items(a1)]
    community = [i.code for i in services.applicable_items(b1)]
    assert "GF-01" not in village and "GF-01" in community
    assert set(community) - set(village) == {"GF-01"}


@pytest.mark.django_db
def test_the_total_is_normalised_over_the_applicable_items(campaign, county, people):
    a1 = campaign.assessments.get(organization=county.branch_a1)
    b1 = campaign.assessments.get(organization=county.branch_b1)
    common = dict(ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="0")
    services.assessment_save(assessment=a1, by=people.alice, answers=answers_for(a1, **common))
    services.assessment_save(assessment=b1, by=people.alice,
                             answers=answers_for(b1, GF_01="true", **common))
    a1.refresh_from_db()
    b1.refresh_from_db()
    # Self stage leaves out ZD-02 (written). A1: 50 of 70 points; B1: 70 of 90.
    assert a1.self_score == D("71.43")
    assert b1.self_score == D("77.78")


@pytest.mark.django_db
def test_a_conditional_item_applies_only_where_its_condition_holds(campaign, county, people):
    county.branch_a1.member_count = 8
    county.branch_a1.save()
    a1 = campaign.assessments.select_related("organization").get(organization=county.branch_a1)
    services.assessment_open(assessment=a1, by=people.dave)
    codes = set(a1.responses.values_list("item__code", flat=True))
    assert "ZD-01" not in codes and {"ZB-01", "ZD-02"} <= codes
    # Full marks on what applies is 100, whatever the missing 20-point item.
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(
        a1, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true"))
    a1.refresh_from_db()
    assert a1.self_score == D("100.00")
    with pytest.raises(ValidationError):  # answering an item that does not apply is refused
        services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(a1, ZD_01="80"))


@pytest.mark.django_db
def test_the_applicable_items_do_not_move_after_the_first_opening(campaign, county, people):
    a2 = campaign.assessments.select_related("organization").get(organization=county.branch_a2)
    services.assessment_open(assessment=a2, by=people.erin)
    county.branch_a2.member_count = 3
    county.branch_a2.save()
    services.assessment_open(assessment=a2, by=people.erin)
    assert a2.responses.filter(item__code="ZD-01").exists()


@pytest.mark.django_db
def test_self_and_final_stages_over_the_services(campaign, a1, people):
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(
        a1, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
        ZD_02={"text": "做法……"}))
    self_result = services.compute(assessment=a1, stage="self")
    assert "ZD-02" not in {r.item.code for r in self_result.items}
    assert self_result.total == D("100.00")
    final = services.compute(assessment=a1, stage="final")
    # The written answer is unscored until the reviewer scores it: 70 of 80.
    assert final.total == D("87.50")
    ItemResponse.objects.filter(assessment=a1, item__code="ZD-02").update(reviewer_value="10")
    assert services.compute(assessment=a1, stage="final").total == D("100.00")


@pytest.mark.django_db
def test_launching_twice_adds_nothing(campaign, people):
    before = sorted(campaign.assessments.values_list("pk", "organization_id"))
    assert len(before) == 3
    assert services.campaign_launch(campaign=campaign, by=people.alice) == "done"
    assert sorted(campaign.assessments.values_list("pk", "organization_id")) == before


@pytest.mark.django_db
def test_the_stored_rule_grades_like_the_in_memory_one(campaign):
    # The defaults come from JSON as strings; the saved campaign holds Decimals.
    campaign.refresh_from_db()
    assert grade_for(D("90"), False, campaign) == Grade.ADVANCED
    assert grade_for(D("69.99"), False, campaign) == Grade.LAGGING
    assert stars_for(D("95"), campaign.star_thresholds) == 5
