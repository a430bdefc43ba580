"""Standard-set files (good and bad) for the import tests, built in memory.

The generic pieces (zip bombs, damaged zips, reading cells back) are the
organization tests' helpers.
"""

from decimal import Decimal

from standards.excel import HEADERS
from standards.models import Dimension, SetStatus, StandardSet
from standards.services import ItemSpec, set_create, set_fill
from tests.orgs.xlsx_files import (  # noqa: F401 - re-exported for the tests
    damaged_workbook_bytes,
    read_cells,
    upload,
    zip_bomb_bytes,
    zip_bytes,
)
from tests.orgs.xlsx_files import workbook_bytes as _workbook_bytes

HEADER = list(HEADERS.values())


def item_row(code="1.1", requirement="按期换届", *, dimension="支部建设标准化", guidance="",
             kind="是否", comparator=None, threshold=None, unit=None, score=5, veto="否",
             evidence="否", categories=None, conditions=None, proportional="否", source=None):
    """One data row in the file's column order (all fifteen columns)."""
    return [dimension, code, requirement, guidance, kind, comparator, threshold, unit, score,
            veto, evidence, categories, conditions, proportional, source]


def workbook_bytes(rows, *, header=HEADER, title_rows=True) -> bytes:
    """A normal (not write-only) workbook: a value starting with '=' becomes a formula cell."""
    return _workbook_bytes(rows, header=header, title_rows=title_rows)


def sample_specs(categories):
    """Items of every kind, with the seeds' numbers: decimals, 70 ㎡, 5 万元 as 50000."""
    village, community = categories
    return [
        ItemSpec(dimension="支部建设标准化", code="1.1", requirement="按期换届，班子健全",
                 kind="check", max_score=Decimal("5"), is_veto=True, evidence_required=True,
                 guidance="未按期换届不得分", source="韶山 五化 第一部分"),
        ItemSpec(dimension="支部建设标准化", code="1.2", requirement="活动场所面积达标",
                 kind="number", comparator=">=", threshold=Decimal("70"), unit="㎡",
                 max_score=Decimal("0.5"), proportional=True, category_ids=[village.pk],
                 conditions=[{"field": "member_count", "op": ">=", "value": "10"}],
                 source="自拟：据安源区文件“党员10名以上的活动场所不少于70㎡”"),
        ItemSpec(dimension="阵地建设规范化", code="5.1", requirement="社区党建经费",
                 kind="number", comparator=">=", threshold=Decimal("50000"), unit="元/年",
                 max_score=Decimal("3"), category_ids=[community.pk, village.pk],
                 evidence_required=True,
                 conditions=[{"field": "is_demonstration", "op": "=", "value": True},
                             {"field": "venue_area", "op": ">", "value": "12.5"}]),
        ItemSpec(dimension="组织生活正常化", code="2.1", requirement="三会一课落实情况",
                 kind="graded", max_score=Decimal("10"), guidance="好 / 较好 / 一般 / 差"),
        ItemSpec(dimension="组织生活正常化", code="2.2", requirement="年度工作总结",
                 kind="text", max_score=Decimal("2.25"), unit="篇",
                 conditions=[{"field": "level", "op": "!=", "value": "joint_branch"}]),
        ItemSpec(dimension="阵地建设规范化", code="5.2", requirement="每月开展主题党日",
                 kind="number", comparator="<=", threshold=Decimal("0.75"), unit="次",
                 max_score=Decimal("0")),
    ]


def make_set(organization, by, *, code="wuhua", name="五化标准", specs=None, items=0,
             status=SetStatus.DRAFT):
    """A set with `specs`, or with `items` generated check items over five dimensions."""
    standard_set = set_create(organization=organization, code=code, name=name, year=2024, by=by,
                              source_document="韶山市五化建设实施方案")
    if specs is None:
        specs = [
            ItemSpec(dimension=f"方面{i % 5}", code=f"{i % 5}.{i}", requirement=f"条目{i}",
                     kind="check", max_score=Decimal("1"))
            for i in range(items)
        ]
    if specs:
        set_fill(standard_set=standard_set, items=specs, by=by)
    if status != SetStatus.DRAFT:
        StandardSet.objects.filter(pk=standard_set.pk).update(status=status)
        standard_set.refresh_from_db()
    return standard_set


def dimension_names(standard_set):
    return list(
        Dimension.objects.filter(standard_set=standard_set)
        .order_by("ordering", "pk").values_list("name", flat=True)
    )
