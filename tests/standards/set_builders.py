"""Standard sets for the page tests, built through the services like real ones."""

from decimal import Decimal

from orgs.models import Level, Role
from standards import services
from standards.models import ItemKind

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, category

DIMENSIONS = ["支部建设标准化", "组织生活正常化", "管理服务精细化", "工作制度体系化", "阵地建设规范化"]


def sample_specs():
    """One item of each kind, with the seeds' flavour: categories, a condition, a veto."""
    village, community = category("village"), category("community")
    return [
        services.ItemSpec(
            dimension="阵地建设规范化", code="ZD-01", requirement="活动场所面积达标",
            kind=ItemKind.NUMBER, comparator=">=", threshold=Decimal("70"), unit="㎡",
            proportional=True, max_score=Decimal("5"), category_ids=[village.pk],
            conditions=[{"field": "member_count", "op": ">=", "value": "10"}],
            source="seed 002", evidence_required=True,
        ),
        services.ItemSpec(
            dimension="组织生活正常化", code="ZS-01", requirement="每月开展主题党日",
            kind=ItemKind.CHECK, max_score=Decimal("3"), is_veto=True,
        ),
        services.ItemSpec(
            dimension="支部建设标准化", code="ZB-01", requirement="班子团结有力",
            kind=ItemKind.GRADED, max_score=Decimal("4"), category_ids=[community.pk],
        ),
        services.ItemSpec(
            dimension="工作制度体系化", code="GZ-01", requirement="简述年度工作计划",
            kind=ItemKind.TEXT, max_score=Decimal("2"), guidance="酌情给分",
        ),
    ]


def many_specs(count):
    """`count` items over five dimensions, kinds, categories and conditions mixed."""
    village, community, school = category("village"), category("community"), category("school")
    kinds = [ItemKind.CHECK, ItemKind.NUMBER, ItemKind.GRADED, ItemKind.TEXT]
    specs = []
    for i in range(count):
        kind = kinds[i % 4]
        specs.append(
            services.ItemSpec(
                dimension=DIMENSIONS[i % 5],
                code=f"X-{i:04d}",
                requirement=f"第{i}条标准内容",
                kind=kind,
                max_score=Decimal("2"),
                comparator=">=" if kind == ItemKind.NUMBER else "",
                threshold=Decimal(i % 50 + 1) if kind == ItemKind.NUMBER else None,
                unit="次/年" if kind == ItemKind.NUMBER else "",
                is_veto=i % 17 == 0,
                category_ids=[[], [village.pk], [community.pk, school.pk]][i % 3],
                conditions=[{"field": "member_count", "op": ">=", "value": "5"}] if i % 7 == 0
                else [],
            )
        )
    return specs


def build_set(org, by, *, code="wuhua", name="五化标准", items=None, size=None, publish=False,
              year=2026):
    standard_set = services.set_create(organization=org, code=code, name=name, year=year, by=by)
    specs = items if items is not None else (many_specs(size) if size else sample_specs())
    services.set_fill(standard_set=standard_set, items=specs, by=by)
    if publish:
        services.set_publish(standard_set=standard_set, by=by)
        standard_set.refresh_from_db()
    return standard_set


def other_county_with_set():
    """A second county root with its own county staff (zoe) and its own published set."""
    root = OrganizationFactory(code="OC", name="邻县县委", level=Level.COUNTY, category=None)
    branch = OrganizationFactory(parent=root, code="OC1", name="邻县某村党支部")
    zoe = UserFactory(username="zoe", full_name="邻县 周")
    AssignmentFactory(user=zoe, organization=root, role=Role.COUNTY_STAFF)
    theirs = build_set(root, zoe, code="linxian", name="邻县五化", publish=True)
    return root, branch, zoe, theirs
