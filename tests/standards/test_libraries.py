"""The shipped libraries (五化, 三化, 五个好, 八有): well formed, true to the seeds, loaded once.

The file checks read the JSON through the loader's own `item_specs`, so they see
exactly what would be saved. Loading is about a quarter of a second on SQLite,
so the tests that load do it once each rather than sharing committed rows
between tests.
"""

import re
from decimal import Decimal
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from orgs.demo.county import LOGINS, ROOT
from orgs.models import Level, Organization
from standards import services
from standards.conditions import conditions_hold, parse_conditions
from standards.libraries import (
    LIBRARY_CODES,
    LibraryError,
    build_library,
    item_specs,
    load_libraries,
    read_library,
)
from standards.models import ItemKind, SetStatus, StandardItem, StandardSet

from ..conftest import need
from ..factories import SEEDED_CATEGORIES, OrganizationFactory, UserFactory, category

MINIMUM_ITEMS = {"wuhua": 100, "sanhua": 25, "wugehao": 15, "bayou": 20}
WUHUA_ASPECTS = ["支部建设标准化", "组织生活正常化", "管理服务精细化", "工作制度体系化", "阵地建设规范化"]
# Seed 000's eight categories (机关事业单位 is two of ours).
SEED_CATEGORIES = [
    "village", "community", "government", "institution", "private_enterprise", "social_org",
    "soe", "health", "school",
]
# Stand-in primary keys for reading the files without a database.
CATEGORY_IDS = {code: n for n, code in enumerate(SEEDED_CATEGORIES, start=1)}
CODES = {n: code for code, n in CATEGORY_IDS.items()}
TEN_OR_MORE = parse_conditions("党员人数>=10")


def specs(code):
    return item_specs(read_library(code), category_ids=CATEGORY_IDS)


def applicable_total(specs_, category_code, members, *, level=Level.BRANCH, demo=False):
    """Max score of the items an organization of this kind answers."""
    org = SimpleNamespace(member_count=members, venue_area=None, level=level, is_demonstration=demo)
    cat = CATEGORY_IDS[category_code]
    return sum(
        (s.max_score for s in specs_
         if (not s.category_ids or cat in s.category_ids) and conditions_hold(s.conditions, org)),
        Decimal(0),
    )


@pytest.fixture
def categories(db):
    return {code: category(code) for code in SEEDED_CATEGORIES}


@pytest.fixture
def county(categories):
    return OrganizationFactory(code="LIB", name="青禾县委", level=Level.COUNTY, category=None)


# --- the files ---------------------------------------------------------------------


@pytest.mark.parametrize("code", LIBRARY_CODES)
def test_each_file_is_well_formed_and_says_where_each_item_comes_from(code):
    data = read_library(code)
    items = specs(code)
    assert len(items) >= MINIMUM_ITEMS[code]
    assert data["year"] == 2026 and data["source_document"].startswith("种子00")
    assert [s.dimension for s in items] == sorted(
        (s.dimension for s in items), key=data["dimensions"].index
    )
    assert len({s.code for s in items}) == len(items)
    for s in items:
        assert s.kind in ItemKind.values, s.code
        assert s.max_score >= 0 and s.requirement and len(s.source) <= 300, s.code
        # Quotation, our rewording of a seed sentence, or our own wording: always said.
        assert s.source.startswith(("种子00", "据种子00", "自拟，依据")), s.code
        assert ("改写" in s.source) == s.source.startswith("据种子"), s.code
        if s.kind == ItemKind.NUMBER:
            assert s.comparator and s.threshold is not None and s.unit, s.code
        else:
            assert s.threshold is None and not s.proportional, s.code


# The seed documents sit beside the repository (shared/seeds), not in it.
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
_PUNCTUATION = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})


def _plain(text):
    return re.sub(r"\s+", "", text).translate(_PUNCTUATION)


def test_quotations_are_word_for_word():
    """A source `种子00N：“…”` claims a quotation: it must be in the seed as written.

    Seed 004 is in traditional characters and is checked by hand (its sources say
    they were converted); rewordings (据种子…改写) quote loosely by design.
    """
    # CI clones the repository with shared/ beside it, so there the seeds must be found.
    need(SEEDS.is_dir(), f"the seed documents are not at {SEEDS}")
    seeds = {int(p.name[:3]): _plain(p.read_text(encoding="utf-8")) for p in SEEDS.glob("00*.txt")}
    checked = 0
    for code in LIBRARY_CODES:
        for s in specs(code):
            quoted = re.fullmatch(r"种子00([0-3])：“(.*)”", s.source)
            if quoted:
                assert _plain(quoted[2]) in seeds[int(quoted[1])], (s.code, s.source)
                checked += 1
    assert checked >= 80


def test_at_least_150_items_in_all():
    assert sum(len(specs(code)) for code in LIBRARY_CODES) >= 150


def test_wuhua_has_the_five_aspects_and_items_for_each_seed_category():
    data, items = read_library("wuhua"), specs("wuhua")
    assert data["dimensions"] == WUHUA_ASPECTS
    assert {s.dimension for s in items} == set(WUHUA_ASPECTS)
    common = [s for s in items if not s.category_ids]
    assert len(common) >= 30
    for code in [*SEED_CATEGORIES, "mobile"]:
        own = [s for s in items if CATEGORY_IDS[code] in s.category_ids]
        assert len(own) >= 7, code
        # Each category's checklist totals 100, whether the branch is big or small.
        for members in (3, 8, 12, 60):
            assert applicable_total(items, code, members) == 100, (code, members)
    kinds = {s.kind for s in items}
    assert kinds == set(ItemKind.values)
    assert sum(s.is_veto for s in items) >= 2
    assert sum(s.evidence_required for s in items) >= 20


def test_the_other_libraries_add_up():
    sanhua, wugehao, bayou = specs("sanhua"), specs("wugehao"), specs("bayou")
    assert [d for d in read_library("sanhua")["dimensions"][:4]] == [
        "组织设置", "领导班子建设", "经费保障", "活动场所"
    ]
    six = [s for s in sanhua if s.dimension == "六个规范化" and s.requirement.startswith(
        ("党员队伍建设", "组织活动", "运行机制", "服务群众", "党建责任", "工作任务")
    )]
    assert len(six) == 6
    assert read_library("wugehao")["dimensions"] == [
        "领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"
    ]
    assert sum(s.kind == ItemKind.GRADED for s in wugehao) >= 15
    assert len(read_library("bayou")["dimensions"]) == 8
    for code in SEED_CATEGORIES:
        for members in (5, 12):
            assert applicable_total(sanhua, code, members) == 100, code
            assert applicable_total(sanhua, code, members, demo=True) == 102, code
            assert applicable_total(wugehao, code, members) == 100
            # 八有 has more for communities; assessments normalise to 100.
            assert 60 <= applicable_total(bayou, code, members) <= 120, code


def _find(items, **match):
    found = [s for s in items if all(getattr(s, k) == v for k, v in match.items())]
    assert found, match
    return found


def test_the_seeds_figures_are_thresholds():
    wuhua, sanhua, bayou = specs("wuhua"), specs("sanhua"), specs("bayou")
    community, village = [CATEGORY_IDS["community"]], [CATEGORY_IDS["village"]]
    # Seed 002: 70 ㎡ where a group has 10 or more members, in every library that has it.
    for items in (wuhua, sanhua, bayou):
        for s in _find(items, threshold=Decimal(70), unit="㎡"):
            assert s.comparator == ">=" and s.conditions == TEN_OR_MORE
            assert "种子002" in s.source
    assert _find(bayou, threshold=Decimal(300), unit="㎡")[0].category_ids == village + community
    _find(wuhua, threshold=Decimal(400), unit="㎡", category_ids=community)
    _find(wuhua, threshold=Decimal(5), unit="万元/年", category_ids=community)
    _find(bayou, threshold=Decimal(5), unit="万元/年", category_ids=community)
    street = _find(bayou, threshold=Decimal(8), unit="万元/年")[0]
    assert street.conditions == parse_conditions("层级=党工委")
    _find(bayou, threshold=Decimal(1000), unit="元/年", category_ids=community)
    # Seed 000: secretaries' pay, operating funds; the 支部工作条例's monthly 主题党日.
    _find(wuhua, threshold=Decimal(1800), unit="元/月", category_ids=village)
    _find(wuhua, threshold=Decimal(2500), unit="元/月", category_ids=community)
    _find(wuhua, threshold=Decimal(20), unit="万元/年", category_ids=village)
    party_day = _find(wuhua, code="WH2-TY-05")[0]
    assert (party_day.threshold, party_day.unit, party_day.category_ids) == (
        Decimal(12), "次/年", []
    )
    _find(wuhua, threshold=Decimal("0.5"), unit="%", category_ids=[CATEGORY_IDS["soe"]])
    _find(bayou, threshold=Decimal(50), unit="元/人·年")


def test_the_loader_refuses_a_broken_file():
    data = read_library("bayou")
    bad_category = {**data, "items": [{**data["items"][0], "categories": ["nowhere"]}]}
    with pytest.raises(LibraryError, match="nowhere"):
        item_specs(bad_category, category_ids=CATEGORY_IDS)
    bad_dimension = {**data, "items": [{**data["items"][0], "dimension": "有错别字"}]}
    with pytest.raises(LibraryError, match="有错别字"):
        item_specs(bad_dimension, category_ids=CATEGORY_IDS)
    bad_key = {**data, "items": [{**data["items"][0], "threshhold": 1}]}
    with pytest.raises(LibraryError, match="threshhold"):
        item_specs(bad_key, category_ids=CATEGORY_IDS)
    bad_condition = {**data, "items": [{**data["items"][0], "conditions": "身高>=170"}]}
    with pytest.raises(LibraryError, match="BY1-01"):
        item_specs(bad_condition, category_ids=CATEGORY_IDS)
    with pytest.raises(LibraryError):
        read_library("../settings")


# --- loading -------------------------------------------------------------------------


def counts():
    return [
        StandardSet.objects.count(), StandardItem.objects.count(),
        StandardItem.categories.through.objects.count(),
        StandardSet.history.count(), StandardItem.history.count(),
    ]


def test_every_library_is_publishable_and_is_saved_as_written(county):
    admin = UserFactory(username="loader")
    for code in LIBRARY_CODES:
        draft = build_library(code, organization=county, by=admin)
        assert services.check_publishable(draft) == []
        published = services.set_publish(standard_set=draft, by=admin)
        assert published.status == SetStatus.PUBLISHED and published.version == 1

        saved = published.items.select_related("dimension").prefetch_related("categories")
        assert [
            (i.code, i.dimension.name, i.kind, i.max_score, i.threshold, i.unit, i.is_veto,
             i.evidence_required, i.conditions, i.source, {c.code for c in i.categories.all()})
            for i in saved
        ] == [
            (s.code, s.dimension, s.kind, s.max_score, s.threshold, s.unit, s.is_veto,
             s.evidence_required, s.conditions, s.source, {CODES[n] for n in s.category_ids})
            for s in specs(code)
        ]
        assert published.history.first().history_user == admin


def test_loading_twice_changes_nothing_and_an_existing_library_is_left_alone(county):
    # The county already has its own 三化, still a draft: ours must not replace it.
    own = services.set_create(organization=county, code="sanhua", name="本县三化", year=2025, by=None)

    results = load_libraries(organization=county)

    assert [(r.code, r.created) for r in results] == [
        ("wuhua", True), ("sanhua", False), ("wugehao", True), ("bayou", True)
    ]
    assert results[1].standard_set == own and results[1].items == 0
    wuhua = results[0]
    assert wuhua.items == len(specs("wuhua")) and wuhua.dimensions == 5
    assert StandardSet.objects.filter(organization=county, status=SetStatus.PUBLISHED).count() == 3
    before = counts()

    again = load_libraries(organization=county)

    assert counts() == before
    assert [r.created for r in again] == [False] * 4
    assert [r.standard_set.pk for r in again] == [r.standard_set.pk for r in results]


def test_the_70_square_metre_item_applies_by_member_count(county):
    load_libraries(organization=county, only=["wuhua"])
    item = StandardItem.objects.get(standard_set__code="wuhua", code="WH5-TY-01")
    big = SimpleNamespace(member_count=10, venue_area=None, level=Level.BRANCH, is_demonstration=False)
    small = SimpleNamespace(member_count=9, venue_area=None, level=Level.BRANCH, is_demonstration=False)
    assert item.requirement_line == "≥ 70 ㎡" and item.evidence_required
    assert conditions_hold(item.conditions, big) and not conditions_hold(item.conditions, small)


def run(*args, **options):
    out = StringIO()
    call_command("load_standards", *args, stdout=out, **options)
    return out.getvalue()


def test_the_command_loads_what_is_asked_for_each_county(county):
    other = OrganizationFactory(code="OTHER", name="邻县县委", level=Level.COUNTY, category=None)
    town = OrganizationFactory(parent=county, code="LIB01", name="东坝镇党委",
                               level=Level.COMMITTEE, category=None)
    UserFactory(username="clerk")

    out = run("--org", "LIB", "--only", "wuhua,bayou", "--user", "clerk")

    assert sorted(StandardSet.objects.values_list("organization__code", "code")) == [
        ("LIB", "bayou"), ("LIB", "wuhua")
    ]
    assert out.count("\n") == 2 and "wuhua" in out and "bayou" in out
    assert StandardSet.history.filter(history_user__username="clerk").exists()

    out = run()  # every county, whatever it lacks

    assert StandardSet.objects.filter(organization=county).count() == 4
    assert StandardSet.objects.filter(organization=other).count() == 4
    assert out.count("\n") == 8

    before = counts()
    for args, message in [
        (("--org", "NOPE"), "NOPE"),
        (("--org", town.code), town.name),
        (("--only", "wuhua,sixhua"), "sixhua"),
        (("--user", "ghost"), "ghost"),
    ]:
        with pytest.raises(CommandError, match=message):
            run(*args)
    assert counts() == before


@pytest.mark.django_db
def test_the_demo_county_gets_the_libraries_once():
    call_command("load_demo", verbosity=0)
    root = Organization.objects.get(code=ROOT[0])
    sets = StandardSet.objects.filter(organization=root)
    assert sorted(sets.values_list("code", "status")) == sorted(
        (code, SetStatus.PUBLISHED) for code in LIBRARY_CODES
    )
    assert {r.history_user.username for r in StandardSet.history.all()} == {LOGINS[0][0]}
    before = counts()

    out = StringIO()
    call_command("load_demo", stdout=out)

    assert counts() == before
    with translation.override("zh-hans"):
        assert gettext("The demo county already exists; nothing was changed.") in out.getvalue()
        assert gettext("Already there") in out.getvalue()
    for standard_set in sets:
        assert standard_set.name in out.getvalue()
