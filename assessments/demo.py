"""The demo county's campaign: 青禾县's 2026 分类定级 on the shipped 五化 set, caught in the
state a real one is in at the end of April — some branches accepted with grades and
stars, some reviewed, some waiting for review, a couple returned, many in draft and
the rest not started; one 摘牌降星 and one spot check with a finding. Beside it, last
year's campaign (2025), closed, every branch accepted with a grade: what the
dashboard compares this year's grades with.

Everything goes through the services (assessment_save, submit, return, reviewer_save,
approve, accept, star_revoke, spot_check_draw, finding_record), as the demo users
where the demo has one for the job and as the demo admin otherwise, so the history
reads like real work. Values are drawn from a random generator seeded by each
organization's code: the same on every run and on every machine.

Idempotent: if the campaign exists, nothing is touched. The whole load is one
transaction, so an interrupted run leaves nothing half made.
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from orgs.demo.county import LAGGING_CODES
from standards.conditions import item_applies
from standards.models import ItemKind, SetStatus, StandardItem, StandardSet

from . import scoring, services
from .models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    CampaignStatus,
    Evidence,
    Finding,
    Grade,
    ItemResponse,
    StarAction,
    StarRating,
    Transition,
)

NAME = "基层组织建设年分类定级"
YEAR = 2026
SET_CODE = "wuhua"
SPOT_CHECK_SEED = 20260501
SECRETARY_BRANCH = "QH02-002"  # the demo secretary's branch: left in draft for them
COMMITTEE = "QH02"  # the demo committee login's town
# Branches of 东坝镇 left waiting for the demo committee login, and the ones returned.
FOR_THE_COMMITTEE = ("QH02-003", "QH02-005", "QH02-001-01")
RETURNED = {
    "QH02-006": "WH2-TY-05 主题党日只上传了上半年的记录，请补充7—12月的活动记录和照片后重新提交。",
    "QH07-003": "WH5-TY-01 活动室面积与台账不符，请上传房产或租赁证明并核实面积。",
}
REVOKED_REASON = "群众反映党员活动室长期被挪作他用，经县委组织部核实属实，予以摘牌降星。"
# Shares of the ~115 assessed organizations by status (the rest are not started).
SHARES = {
    AssessmentStatus.ACCEPTED: 0.15,
    AssessmentStatus.REVIEWED: 0.15,
    AssessmentStatus.SUBMITTED: 0.15,
    AssessmentStatus.DRAFT: 0.25,
}
S = AssessmentStatus
TEXT_ANSWERS = [
    "党员带头成立志愿服务队，全年开展环境整治、助老帮困等活动20余次。",
    "推行“支部+合作社”模式，党员示范户带动群众发展特色种植。",
    "坚持“主题党日+”，把党日活动与为民办实事结合起来。",
    "建立党员联系户制度，每名党员联系5至10户群众，收集意见建议并及时反馈。",
    "打造“红色驿站”党建品牌，为群众提供政策咨询、代办服务。",
]
NOTES = ["见会议记录本", "见活动照片", "见台账", "见签到表", ""]


@dataclass
class DemoCampaign:
    campaign: Campaign | None = None
    created: bool = False
    by_status: dict = field(default_factory=dict)
    by_grade: dict = field(default_factory=dict)
    revoked: int = 0
    spot_check: object = None
    samples: int = 0
    findings: int = 0


def _rng(code, salt=""):
    # Seeded by the organization's code (and a salt per use): the same on every run.
    return random.Random(f"{code}:{salt}")


def _order_key(assessment):
    return hashlib.sha256(assessment.organization.code.encode()).hexdigest()


def plan_statuses(assessments):
    """{assessment pk: target status}. The lagging branches are accepted (as 后进), the
    demo secretary's branch is a draft, a few of 东坝镇's wait for the committee."""
    forced = {code: S.ACCEPTED for code in LAGGING_CODES}
    forced[SECRETARY_BRANCH] = S.DRAFT
    forced.update({code: S.SUBMITTED for code in FOR_THE_COMMITTEE})
    forced.update({code: S.RETURNED for code in RETURNED})
    total = len(assessments)
    quota = {status: round(total * share) for status, share in SHARES.items()}
    plan = {}
    for a in assessments:
        status = forced.get(a.organization.code)
        if status is not None:
            plan[a.pk] = status
            if status in quota:
                quota[status] -= 1
    for a in sorted(assessments, key=_order_key):
        if a.pk in plan:
            continue
        status = next((s for s in SHARES if quota[s] > 0), S.NOT_STARTED)
        if status in quota:
            quota[status] -= 1
        plan[a.pk] = status
    return plan


def _tier(assessment, status, index):
    """How good the branch is: sets the odds of each answer."""
    if assessment.organization.code in LAGGING_CODES:
        return "lagging"
    if status in (S.ACCEPTED, S.REVIEWED):
        return "advanced" if index % 5 in (0, 2) else "general"
    return "advanced" if _rng(assessment.organization.code, "tier").random() < 0.4 else "general"


ODDS = {"advanced": 0.985, "general": 0.85, "lagging": 0.5}
LEVELS = {
    "advanced": ["好", "好", "好", "较好"],
    "general": ["好", "较好", "较好", "一般"],
    "lagging": ["一般", "差", "差"],
}


def _number(item, ok, rng, org):
    if item.code == "WH5-TY-01" and org.venue_area is not None:
        return f"{org.venue_area:f}"  # the activity room's real area, from the tree
    threshold = item.threshold
    factor = Decimal(str(rng.choice((1, 1, 1.25, 1.5)) if ok else round(rng.uniform(0.3, 0.85), 2)))
    value = threshold * factor
    if threshold == threshold.to_integral_value():
        value = value.to_integral_value(ROUND_CEILING if ok else ROUND_FLOOR)
        if not ok and value >= threshold:
            value = threshold - 1
    else:
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}"


def self_answers(assessment, items, tier, *, share=1.0):
    """The secretary's answers ({item_id: {"value", "text", "note"}}) for a share of the
    items, in the order of the checklist (a draft is filled from the top)."""
    org = assessment.organization
    rng = _rng(org.code, "self")
    odds = ODDS[tier]
    answers = {}
    count = round(len(items) * share)
    for item in items[:count]:
        ok = rng.random() < odds
        note = rng.choice(NOTES) if rng.random() < 0.3 else ""
        if item.kind == ItemKind.CHECK:
            # A 后进 branch fails its 按期换届 veto: 软弱涣散 by the rule, whatever the points.
            if item.is_veto:
                ok = not (tier == "lagging" and item.code == "WH1-TY-06")
            answers[item.pk] = {"value": "true" if ok else "false", "note": note}
        elif item.kind == ItemKind.NUMBER:
            answers[item.pk] = {"value": _number(item, ok, rng, org), "note": note}
        elif item.kind == ItemKind.GRADED:
            answers[item.pk] = {"value": rng.choice(LEVELS[tier]), "note": note}
        else:
            answers[item.pk] = {"text": rng.choice(TEXT_ANSWERS), "note": note}
    return answers


def reviewer_values(assessment, responses, tier):
    """The reviewer scores the written answers and, now and then, corrects a "yes"."""
    rng = _rng(assessment.organization.code, "review")
    values = {}
    share = {"advanced": Decimal("1"), "general": Decimal("0.6"), "lagging": Decimal("0.2")}[tier]
    for r in responses:
        if r.item.kind == ItemKind.TEXT:
            values[r.item_id] = {"value": f"{(r.item.max_score * share).quantize(Decimal('0.1')):f}",
                                 "note": "做法具体" if tier == "advanced" else "内容较空泛"}
    if tier != "advanced" and rng.random() < 0.5:
        checks = [r for r in responses if r.item.kind == ItemKind.CHECK and not r.item.is_veto
                  and r.self_value == "true"]
        if checks:
            r = rng.choice(checks)
            values[r.item_id] = {"value": "false", "note": "查阅台账，未见相关记录，不予认定。"}
    return values


def tiny_pdf(title):
    """A small but well-formed one-page PDF (ASCII title), with a correct xref table."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 12 Tf 20 50 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _evidence(responses, by):
    """One PDF per response, in one insert (FileField.pre_save writes each file)."""
    rows = []
    for r in responses:
        content = tiny_pdf(f"Evidence {r.assessment.organization.code} {r.item.code}")
        rows.append(Evidence(
            response=r, file=ContentFile(content, name="evidence.pdf"),
            original_name=f"{r.item.code} 佐证材料.pdf", content_type="application/pdf",
            size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by,
        ))
    Evidence.objects.bulk_create(rows)


def summarise(campaign, result=None):
    result = result or DemoCampaign(campaign=campaign)
    result.by_status = dict(
        campaign.assessments.values_list("status").annotate(n=Count("pk")).order_by()
    )
    result.by_grade = dict(
        campaign.assessments.filter(status=S.ACCEPTED).values_list("grade")
        .annotate(n=Count("pk")).order_by()
    )
    result.revoked = StarRating.objects.filter(
        action=StarAction.REVOKED, organization__path__startswith=campaign.organization.path
    ).count()
    result.spot_check = campaign.spot_checks.order_by("drawn_at", "pk").first()
    if result.spot_check:
        result.samples = result.spot_check.samples.count()
        result.findings = Finding.objects.filter(sample__spot_check=result.spot_check).count()
    return result


def load_demo_campaign(*, root, by):
    """Make the demo campaign (and last year's) if it is not there; return a DemoCampaign
    summary. `by` is the demo admin; the other demo logins are used where they fit."""
    existing = Campaign.objects.filter(organization=root, name=NAME, year=YEAR).first()
    if existing is not None:
        result = summarise(existing)
        result.created = load_previous_campaign(current=existing, by=by) is not None
        return result
    standard_set = (
        StandardSet.objects.filter(organization=root, code=SET_CODE, status=SetStatus.PUBLISHED)
        .order_by("-version").first()
    )
    if standard_set is None:
        return DemoCampaign()
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["county", "committee", "secretary", "viewer"])}
    county = users.get("county", by)
    committee = users.get("committee", by)
    with transaction.atomic():
        campaign = services.campaign_create(
            name=NAME, year=YEAR, standard_set=standard_set, organization=root, by=county,
        )
        services.campaign_launch(campaign=campaign, by=county)
        result = DemoCampaign(campaign=campaign, created=True)
        _fill(campaign, by=by, county=county, committee=committee,
              secretary=users.get("secretary", by))
        _revoke_one(campaign, county)
        _spot_check(campaign, county, users.get("viewer", by))
        load_previous_campaign(current=campaign, by=by)
    return summarise(campaign, result)


def _fill(campaign, *, by, county, committee, secretary):
    assessments = list(campaign.assessments.select_related("organization__category"))
    plan = plan_statuses(assessments)
    started = [a for a in sorted(assessments, key=lambda a: a.organization.code)
               if plan[a.pk] != S.NOT_STARTED]
    tiers = {a.pk: _tier(a, plan[a.pk], i) for i, a in enumerate(started)}

    def reviewer(a):
        return committee if a.organization.code.startswith(COMMITTEE + "-") else by

    # 1. Every started self-check is saved once; a draft only partly. The set's items
    #    are read once here (services.applicable_items would read them per branch).
    all_items = list(
        StandardItem.objects.filter(standard_set=campaign.standard_set_id)
        .select_related("dimension").prefetch_related("categories")
        .order_by("dimension__ordering", "ordering", "pk")
    )
    for a in started:
        items = [item for item in all_items if item_applies(item, a.organization)]
        if plan[a.pk] == S.DRAFT:
            share = 0.6 if a.organization.code == SECRETARY_BRANCH else \
                _rng(a.organization.code, "draft").uniform(0.3, 0.85)
        else:
            share = 1.0
        who = secretary if a.organization.code == SECRETARY_BRANCH else by
        services.assessment_save(assessment=a, by=who,
                                 answers=self_answers(a, items, tiers[a.pk], share=share))

    # 2. Evidence for every item that needs it, where the self-check goes on to be
    #    submitted; the demo secretary has uploaded a few already.
    to_submit = [a for a in started if plan[a.pk] != S.DRAFT]
    needing = list(
        ItemResponse.objects.filter(assessment__in=to_submit, item__evidence_required=True)
        .select_related("assessment__organization", "item")
    )
    _evidence(needing, by)
    mine = [r for r in ItemResponse.objects.filter(
        assessment__campaign=campaign, assessment__organization__code=SECRETARY_BRANCH,
        item__evidence_required=True,
    ).exclude(self_value="").select_related("assessment__organization", "item")][:3]
    _evidence(mine, secretary)

    # 3. Submit, return, review, approve and accept, each as its own service call.
    for a in to_submit:
        services.assessment_submit(assessment=a, by=by)
        status = plan[a.pk]
        if status == S.RETURNED:
            services.assessment_return(assessment=a, by=reviewer(a),
                                       reason=RETURNED[a.organization.code])
        elif status in (S.REVIEWED, S.ACCEPTED):
            responses = list(a.responses.select_related("item"))
            services.reviewer_save(assessment=a, by=reviewer(a),
                                   values=reviewer_values(a, responses, tiers[a.pk]))
            services.assessment_approve(assessment=a, by=reviewer(a), comment="材料齐全，同意。")
            if status == S.ACCEPTED:
                services.assessment_accept(assessment=a, by=county, comment="验收通过。")


def _revoke_one(campaign, county):
    """摘牌降星 on the first accepted 先进 branch (by code) that holds stars."""
    for a in campaign.assessments.filter(status=S.ACCEPTED, grade=Grade.ADVANCED, stars__gt=0) \
            .select_related("organization").order_by("organization__code"):
        services.star_revoke(organization=a.organization, by=county, reason=REVOKED_REASON,
                             assessment=a)
        return


def _spot_check(campaign, county, inspector):
    """A 10 % sample, weighted toward 后进; the viewer (督查组) inspects; one finding."""
    spot_check = services.spot_check_draw(
        campaign=campaign, by=county, name="2026年第一次随机抽查", share=Decimal("10"),
        weight_lagging=3, seed=SPOT_CHECK_SEED,
    )
    samples = list(spot_check.samples.select_related("assessment__organization"))
    for sample in samples:
        services.sample_assign(sample=sample, inspector=inspector, by=county)
    done = [s for s in samples if s.assessment.status in (S.ACCEPTED, S.REVIEWED)]
    if not done:
        return
    sample = done[0]
    # A number item the branch met on paper; the inspector finds half of it.
    response = (
        sample.assessment.responses.select_related("item__standard_set")
        .filter(item__kind=ItemKind.NUMBER, item__comparator=">=",
                final_score=F("item__max_score"), item__threshold__gte=2)
        .order_by("item__code").first()
    )
    if response is None:
        return
    found = (response.item.threshold / 2).quantize(Decimal("1"), ROUND_FLOOR)
    services.finding_record(
        sample=sample, item=response.item, found_value=f"{found:f}", by=inspector,
        note=f"查阅台账发现，“{response.item.requirement}”一项实际为{found:f}{response.item.unit}，"
             "与自查填报不符。",
    )


# ---------------------------------------------------------------- last year's campaign

PREVIOUS_NAME = "2025年度基层党组织分类定级"
PREVIOUS_YEAR = YEAR - 1
PREVIOUS_ACCEPTED_ON = (5, 20)  # month, day: when the county accepted last year's results
# Of the branches graded this year, how last year's grade relates to this year's
# (the rest kept it): a share rose since (lower last year), a share fell.
ROSE_SINCE, FELL_SINCE = 0.25, 0.2
# Last year's 先进 share among the branches not graded yet this year.
PREVIOUS_ADVANCED = 0.4
GRADE_ORDER = [Grade.LAGGING, Grade.GENERAL, Grade.ADVANCED]


def _previous_grade(code, current, rng):
    """Last year's grade. Only the county's lagging branches were 后进 (they still are,
    but for one that has slipped since), so the 后进 lists and the inspections' draw,
    which read every accepted 后进, read the same branches as without this campaign."""
    if code in LAGGING_CODES:
        return Grade.GENERAL if code == LAGGING_CODES[-1] else Grade.LAGGING
    if not current:
        return Grade.ADVANCED if rng.random() < PREVIOUS_ADVANCED else Grade.GENERAL
    draw = rng.random()
    step = -1 if draw < ROSE_SINCE else (1 if draw < ROSE_SINCE + FELL_SINCE else 0)
    index = min(max(GRADE_ORDER.index(current) + step, 1), len(GRADE_ORDER) - 1)
    return GRADE_ORDER[index]


def _band(grade, rule):
    """(low, high) of the total for a grade under the campaign's own thresholds."""
    advanced, general = Decimal(rule.advanced_min), Decimal(rule.general_min)
    if grade == Grade.ADVANCED:
        return advanced, advanced + (100 - advanced) * Decimal("0.8")
    if grade == Grade.GENERAL:
        return general, advanced - Decimal("0.5")
    return general * Decimal("0.7"), general - Decimal("0.5")


def _previous_scores(items, grade, rule, rng):
    """A scoring.Result with dimension scores around a total in the grade's band, so the
    stored total, grade and stars are what the scoring rule makes of them. Drawn again
    (a few times at most) where the dimensions' spread carries the total out of the band."""
    low, high = _band(grade, rule)
    for _attempt in range(10):
        result = _dimension_draw(items, Decimal(str(rng.uniform(float(low), float(high)))),
                                 grade == Grade.LAGGING, rule, rng)
        if result.grade == grade:
            break
    return result


def _dimension_draw(items, target, veto_failed, rule, rng):
    result = scoring.Result(veto_failed=veto_failed)
    for item in items:
        d = result.dimensions.get(item.dimension.name)
        if d is None:
            d = result.dimensions[item.dimension.name] = scoring.DimensionResult(
                item.dimension.name, weight=item.dimension.weight)
        d.max_score += item.max_score
    for d in result.dimensions.values():
        percent = min(Decimal(100), target + Decimal(str(rng.uniform(-4, 4))))
        d.score = (d.max_score * percent / 100).quantize(scoring.CENT)
    parts = [d for d in result.dimensions.values() if d.max_score]
    if any(d.weight for d in parts):  # as scoring.score weighs them
        weight = sum(d.weight or 0 for d in parts)
        total = sum((d.weight or 0) * d.score / d.max_score for d in parts) * 100 / weight
    else:
        total = sum(d.score for d in parts) * 100 / sum(d.max_score for d in parts)
    result.total = total.quantize(scoring.CENT)
    result.grade = scoring.grade_for(result.total, result.veto_failed, rule)
    result.stars = scoring.stars_for(result.total, rule.star_thresholds)
    if result.stars and result.veto_failed and rule.veto_forces_lagging:
        result.stars = 0
    return result


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load_previous_campaign(*, current, by):
    """Last year's campaign over the same county and set, closed, every branch accepted
    with scores and a grade that differs plausibly from this year's. Values only (no
    answers per item: a closed year's problems are not the demo's open work), written in
    bulk. None if it is there already."""
    root = current.organization
    if Campaign.objects.filter(organization=root, name=PREVIOUS_NAME,
                               year=PREVIOUS_YEAR).exists():
        return None
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["county", "committee"])}
    county = users.get("county", by)
    with transaction.atomic():
        campaign = services.campaign_create(
            name=PREVIOUS_NAME, year=PREVIOUS_YEAR, standard_set=current.standard_set,
            organization=root, by=county,
        )
        services.campaign_launch(campaign=campaign, by=county)
        this_year = dict(current.assessments.values_list("organization_id", "grade"))
        all_items = list(
            StandardItem.objects.filter(standard_set=campaign.standard_set_id)
            .select_related("dimension").prefetch_related("categories")
        )
        accepted_on = _at(date(PREVIOUS_YEAR, *PREVIOUS_ACCEPTED_ON))
        assessments = list(campaign.assessments.select_related("organization__category"))
        moves = []
        for a in assessments:
            org = a.organization
            rng = _rng(org.code, PREVIOUS_YEAR)
            items = [item for item in all_items if item_applies(item, org)]
            grade = _previous_grade(org.code, this_year.get(org.pk), rng)
            final = _previous_scores(items, grade, campaign, rng)
            # Most secretaries scored themselves a little higher than the review did.
            inflation = Decimal(str(rng.uniform(0, 5) if rng.random() < 0.6 else 0))
            inflation = inflation.quantize(scoring.CENT)
            a.self_score = min(Decimal(100), final.total + inflation)
            a.self_grade = scoring.grade_for(a.self_score, final.veto_failed, campaign)
            a.final_score, a.grade, a.stars = final.total, final.grade, final.stars
            a.veto_failed, a.dimension_scores = final.veto_failed, final.dimension_scores()
            a.status = S.ACCEPTED
            a.submitted_at = _at(campaign.self_check_deadline - timedelta(days=rng.randint(1, 15)))
            a.started_at = a.submitted_at - timedelta(days=rng.randint(3, 20))
            a.reviewed_at = _at(campaign.review_deadline - timedelta(days=rng.randint(0, 8)), 15)
            a.accepted_at = accepted_on
            reviewer = users.get("committee", by) if org.code.startswith(COMMITTEE + "-") else by
            moves += [(a, S.NOT_STARTED, S.SUBMITTED, by, a.submitted_at),
                      (a, S.SUBMITTED, S.REVIEWED, reviewer, a.reviewed_at),
                      (a, S.REVIEWED, S.ACCEPTED, county, a.accepted_at)]
        Assessment.objects.bulk_update(assessments, [
            "status", "self_score", "self_grade", "final_score", "grade", "stars", "veto_failed",
            "dimension_scores", "started_at", "submitted_at", "reviewed_at", "accepted_at"])
        Transition.objects.bulk_create(
            Transition(assessment=a, from_status=before, to_status=after, by=who,
                       comment="验收通过。" if after == S.ACCEPTED else "")
            for a, before, after, who, _when in moves
        )
        # `at` is set on insert; one UPDATE per step dates them back to last year.
        for step, field_name in ((S.SUBMITTED, "submitted_at"), (S.REVIEWED, "reviewed_at"),
                                 (S.ACCEPTED, "accepted_at")):
            Transition.objects.filter(assessment__campaign=campaign, to_status=step).update(
                at=Subquery(Assessment.objects.filter(pk=OuterRef("assessment_id"))
                            .values(field_name)[:1]))
        campaign.status, campaign.launched_at = CampaignStatus.CLOSED, _at(
            campaign.phases.order_by("ordering").first().starts_on)
        campaign._history_user = county
        campaign.save()
    return campaign
