"""Builders for the campaign page tests: another county, campaigns at size, form data."""

from decimal import Decimal
from types import SimpleNamespace

from assessments import services
from assessments.models import Assessment, AssessmentStatus, Grade
from orgs.models import Level, Role
from standards import services as std

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches


def other_county():
    """邻县: its own county staff (zoe), a published set and a launched campaign."""
    root = OrganizationFactory(code="OC", name="邻县县委", level=Level.COUNTY, category=None)
    OrganizationFactory(parent=root, code="OC1", name="邻县某村党支部")
    zoe = UserFactory(username="zoe", full_name="邻县 周", is_staff=True)
    AssignmentFactory(user=zoe, organization=root, role=Role.COUNTY_STAFF)
    root.refresh_from_db()
    standard_set = std.set_create(organization=root, code="other", name="邻县标准", year=2026, by=zoe)
    std.set_fill(standard_set=standard_set, by=zoe, items=[
        std.ItemSpec(dimension="支部建设标准化", code="Z-01", requirement="要求", kind="check",
                     max_score=Decimal("10")),
    ])
    std.set_publish(standard_set=standard_set, by=zoe)
    standard_set.refresh_from_db()
    campaign = services.campaign_create(name="邻县活动", year=2026, standard_set=standard_set,
                                        organization=root, by=zoe)
    services.campaign_launch(campaign=campaign, by=zoe)
    campaign.refresh_from_db()
    return SimpleNamespace(root=root, zoe=zoe, set=standard_set, campaign=campaign)


def town_campaign(small_set, county, by):
    """A campaign run over town A only (charlie of town B must not see it)."""
    campaign = services.campaign_create(
        name="东坝镇专项", year=2026, standard_set=small_set, organization=county.town_a, by=by,
    )
    services.campaign_launch(campaign=campaign, by=by)
    campaign.refresh_from_db()
    return campaign


def grow(county, size):
    """`size` more branches, split between town A and town B."""
    half = size // 2
    add_many_branches(county.town_a, half, prefix="GA")
    add_many_branches(county.town_b, size - half, prefix="GB", category_code="community")


def spread_statuses(campaign):
    """Give the campaign's assessments a mix of statuses, scores and grades (bulk updates)."""
    pks = list(campaign.assessments.order_by("organization__path").values_list("pk", flat=True))
    mix = [
        (AssessmentStatus.DRAFT, None, ""),
        (AssessmentStatus.SUBMITTED, None, ""),
        (AssessmentStatus.RETURNED, None, ""),
        (AssessmentStatus.REVIEWED, Decimal("92.50"), Grade.ADVANCED),
        (AssessmentStatus.ACCEPTED, Decimal("75.00"), Grade.GENERAL),
        (AssessmentStatus.ACCEPTED, Decimal("40.00"), Grade.LAGGING),
        (AssessmentStatus.NOT_STARTED, None, ""),
    ]
    for i, (status, score, grade) in enumerate(mix):
        chosen = pks[i :: len(mix)]
        Assessment.objects.filter(pk__in=chosen).update(
            status=status, final_score=score, self_score=score, grade=grade,
            stars=3 if score else None, veto_failed=grade == Grade.LAGGING,
            dimension_scores={"支部建设标准化": {"score": "9", "max": "10", "percent": "90.00"}}
            if score else {},
        )


def form_data(small_set, scope, **over):
    data = {
        "name": "2027年基层组织建设年", "year": "2027", "standard_set": small_set.pk,
        "organization": scope.pk, "self_check_deadline": "2027-04-20",
        "review_deadline": "2027-04-30", "advanced_min": "90", "general_min": "70",
        "veto_forces_lagging": "on", "star_thresholds": "60, 70, 80, 90, 95",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def phase_data(campaign, changes=None, new=None):
    """The phases formset's POST data from the stored phases; `changes` {index: {field: value}}."""
    phases = list(campaign.phases.all())
    data = {
        "phases-TOTAL_FORMS": str(len(phases) + (1 if new else 0)),
        "phases-INITIAL_FORMS": str(len(phases)),
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "20",
    }
    for i, phase in enumerate(phases):
        row = {"id": phase.pk, "campaign": campaign.pk, "name": phase.name,
               "starts_on": phase.starts_on.isoformat(), "ends_on": phase.ends_on.isoformat()}
        row.update((changes or {}).get(i, {}))
        for key, value in row.items():
            if value is not None:
                data[f"phases-{i}-{key}"] = value
    if new:
        i = len(phases)
        data.update({f"phases-{i}-{k}": v for k, v in new.items()})
        data[f"phases-{i}-campaign"] = campaign.pk
    return data


def edit_data(campaign, **over):
    data = {
        "name": campaign.name, "year": str(campaign.year), "standard_set": campaign.standard_set_id,
        "organization": campaign.organization_id,
        "self_check_deadline": campaign.self_check_deadline.isoformat(),
        "review_deadline": campaign.review_deadline.isoformat(),
        "advanced_min": str(campaign.advanced_min), "general_min": str(campaign.general_min),
        "star_thresholds": ", ".join(campaign.star_thresholds),
    }
    if campaign.veto_forces_lagging:
        data["veto_forces_lagging"] = "on"
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}

