"""达标情况 (funding/views/compliance.py): roll-ups per committee and category, the list
of allocations below their minimum, the exports, scoping and a fixed query count.

After `paid` (2026): 东坝镇党委 promised 443,200.00 and paid 350,000.00 (short 93,200.00:
A1 50,000.00 运转经费 + 21,600.00 书记报酬, A2 21,600.00 书记报酬); 西湖乡党委 promised
480,000.00 and paid 270,000.00 (short 280,000.00). Five allocations have no basis yet.
"""

import io
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funding import selectors as sel
from funding import services
from funding.models import Allocation
from funding.views.common import PAGE_SIZE
from tests.factories import add_many_branches

from .conftest import YEAR, grow

pytestmark = pytest.mark.django_db

REPORT = reverse("funding:compliance")
EXPORT = reverse("funding:compliance_export")
CENT = Decimal("0.01")
MONEY_KEYS = ("promised_min", "planned", "paid", "pay_gap")
COUNT_KEYS = ("n_orgs", "n", "n_short")
ROLLUP_HEADER = ["组织数", "经费安排数", "标准下限合计", "计划金额", "已拨付", "缺口", "未达标数", "拨付率"]
SHORT_HEADER = ["党(工)委", "组织代码", "组织名称", "类别", "经费标准", "经费类型", "标准下限", "计划金额",
                "已拨付", "缺口"]


def dec(value):
    return Decimal(str(value or 0)).quantize(CENT)


def get(client, **params):
    response = client.get(REPORT, {"year": YEAR, **params})
    assert response.status_code == 200, response.content[:300]
    return response


def sections(response):
    return {s["key"]: s for s in response.context["sections"]}


def short_keys(response):
    return [(a.organization.code, a.policy.code, a.gap) for a in response.context["rows"]]


def read(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:], ws


# ---------------------------------------------------------------- the page


def test_rollups_and_their_totals_add_up_to_the_fen(client_for, people, county, paid):
    response = get(client_for(people.alice))
    by = sections(response)
    committees = {row["label"]: row for row in by["committee"]["rows"]}
    assert set(committees) == {"东坝镇党委", "西湖乡党委"}
    a = committees["东坝镇党委"]
    assert (a["n_orgs"], a["n"], a["n_short"]) == (2, 8, 3)
    assert (a["promised_min"], a["paid"], a["pay_gap"]) == (
        Decimal("443200.00"), Decimal("350000.00"), Decimal("93200.00"))
    assert a["rate"] == Decimal("79.0")
    categories = {row["label"]: row for row in by["category"]["rows"]}
    assert set(categories) == {"村", "社区"}
    assert categories["社区"]["pay_gap"] == Decimal("280000.00")
    everything = sel.money_totals(sel.allocations_for_user(
        user=people.alice, filters=sel.MoneyFilters(year=YEAR)))
    for section in by.values():
        total = section["total"]
        for key in MONEY_KEYS:
            assert total[key] == sum((row[key] for row in section["rows"]), Decimal(0))
            assert dec(total[key]) == dec(everything[key])
        for key in COUNT_KEYS:
            assert total[key] == sum(row[key] for row in section["rows"]) == everything[key]
    assert by["committee"]["total"]["pay_gap"] == Decimal("373200.00")


def test_short_list_names_a1_operating_funds(client_for, people, paid):
    response = get(client_for(people.alice))
    assert response.context["mode"] == "paid"
    assert short_keys(response) == [
        ("B1", "community-service", Decimal("200000.00")),
        ("A1", "village-operating", Decimal("50000.00")),
        ("B1", "community-party-work", Decimal("50000.00")),
        ("B1", "community-secretary-pay", Decimal("30000.00")),
        ("A1", "village-secretary-pay", Decimal("21600.00")),
        ("A2", "village-secretary-pay", Decimal("21600.00")),
    ]
    a1 = response.context["rows"][1]
    assert a1.policy.name == "村级运转经费" and a1.committee_name == "东坝镇党委"
    assert (a1.promised_min, a1.paid) == (Decimal("200000.00"), Decimal("150000.00"))
    body = response.content.decode()
    assert "村级运转经费" in body and "50,000.00" in body and "373,200.00" in body
    totals = response.context["short_totals"]
    assert response.context["short_gap"] == sum((a.gap for a in response.context["rows"]), Decimal(0))
    assert totals["paid"] == sum((a.paid for a in response.context["rows"]), Decimal(0))
    assert totals["promised_min"] == sum((a.promised_min for a in response.context["rows"]), Decimal(0))


def test_short_list_in_the_plan(client_for, people, paid):
    client = client_for(people.alice)
    assert short_keys(get(client, short="planned")) == []
    services.allocation_update(allocation=paid["A2", "village-operating"], by=people.bob,
                               quantity=Decimal(1), planned=Decimal("180000.50"))
    response = get(client, short="planned")
    assert response.context["mode"] == "planned"
    assert short_keys(response) == [("A2", "village-operating", Decimal("19999.50"))]
    assert response.context["short_gap"] == Decimal("19999.50")
    # The roll-ups keep the whole picture whatever the shortfall filter.
    assert sections(response)["committee"]["total"]["n"] == 13


def test_short_list_is_paged_with_totals_of_every_row(client_for, people, county, paid):
    grow(county, people, 30)  # 30 villages more, each short on both policies with a minimum
    response = get(client_for(people.alice), page=2)
    expected = sel.allocations_for_user(
        user=people.alice, filters=sel.MoneyFilters(year=YEAR, short="paid"))
    assert response.context["page_obj"].paginator.count == expected.count() > PAGE_SIZE
    assert response.context["short_gap"] == sel.money_totals(expected)["pay_gap"]
    gaps = [a.gap for a in response.context["rows"]]
    assert gaps == sorted(gaps, reverse=True)


def test_committee_rows_link_to_the_report_for_that_committee(client_for, people, county, paid):
    client = client_for(people.alice)
    rows = sections(get(client, short="paid"))["committee"]["rows"]
    link = next(r["url"] for r in rows if r["label"] == "西湖乡党委")
    query = parse_qs(urlparse(link).query)
    assert urlparse(link).path == REPORT
    assert query["committee"] == [str(county.town_b.pk)] and query["year"] == [str(YEAR)]
    response = client.get(link)
    assert {a.organization.code for a in response.context["rows"]} == {"B1"}
    assert [r["label"] for r in sections(response)["committee"]["rows"]] == ["西湖乡党委"]
    category_link = next(r["url"] for r in sections(response)["category"]["rows"])
    assert "category=" in category_link and "committee" not in category_link


def test_basis_missing_is_counted_and_linked(client_for, people, paid):
    client = client_for(people.alice)
    response = get(client)
    assert response.context["missing"] == 5
    ledger = client.get(response.context["missing_url"])
    assert len(ledger.context["rows"]) == 5
    assert all(a.promised_min is None for a in ledger.context["rows"])
    assert get(client_for(people.charlie)).context["missing"] == 1


@pytest.mark.parametrize("who, expected", [
    ("alice", {"A1", "A2", "B1"}), ("root", {"A1", "A2", "B1"}), ("bob", {"A1", "A2"}),
    ("victor", {"A1", "A2"}), ("charlie", {"B1"}), ("dave", {"A1"}), ("erin", {"A2"}),
    ("harry", {"A2"}),
])
def test_report_is_scoped(client_for, people, paid, who, expected):
    response = get(client_for(getattr(people, who)))
    assert {a.organization.code for a in response.context["rows"]} == expected
    total = sections(response)["committee"]["total"]
    assert total["n_orgs"] == len(expected)
    # By name: a two-letter code such as "A1" can turn up inside the CSRF token.
    for who_not, name in (("bob", "西湖社区党支部"), ("charlie", "东坝村党支部"), ("dave", "柳树村党支部")):
        if who == who_not:
            assert name not in response.content.decode()


def test_dave_sees_his_rollup_without_committee_links(client_for, people, paid):
    response = get(client_for(people.dave))
    [row] = sections(response)["committee"]["rows"]
    assert row["label"] == "东坝镇党委" and row["n"] == 4 and row["url"] == ""
    assert row["pay_gap"] == Decimal("71600.00")


@pytest.mark.parametrize("params", [
    {"year": "abc"}, {"year": "1800"}, {"committee": "999999"}, {"committee": "x"},
    {"page": "zzz"}, {"page": "0"}, {"page": "99999"}, {"category": "evil"}, {"short": "evil"},
    {"policy": "abc"}, {"kind": "evil"}, {"q": "%_\\'"},
])
def test_bad_parameters_never_fail(client_for, people, paid, params):
    client = client_for(people.bob)
    assert client.get(REPORT, params).status_code == 200
    for part in ("committees", "categories", "short"):
        assert client.get(EXPORT, {**params, "part": part}).status_code == 200


def test_report_refuses(client, client_for, people, paid):
    for url in (REPORT, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for url in (REPORT, EXPORT):
        assert client_for(people.nobody).get(url).status_code == 403
        assert client_for(people.alice).post(url).status_code == 405


# ---------------------------------------------------------------- exports


def test_committee_export_with_total(client_for, people, paid):
    title, scope, header, rows, ws = read(
        client_for(people.alice).get(EXPORT, {"year": YEAR, "part": "committees"}))
    assert title == f"{YEAR}年经费达标情况（按党(工)委）"
    assert scope.startswith("范围：青禾县委")
    assert header == ["党(工)委", *ROLLUP_HEADER]
    assert [r[0] for r in rows] == ["东坝镇党委", "西湖乡党委", "合计"]
    data, total = rows[:-1], rows[-1]
    for col in range(1, 8):
        assert dec(total[col]) == sum((dec(r[col]) for r in data), Decimal(0))
    assert [dec(v) for v in total[3:7]] == [Decimal(v) for v in ("923200", "923200", "620000", "373200")]
    assert rows[0][1:4] == [2, 8, 443200] and rows[0][7] == 3
    assert abs(rows[0][8] - 350000 / 443200) < 0.0001
    for row in ws.iter_rows(min_row=4, min_col=4, max_col=7):
        assert all(c.number_format == "#,##0.00" for c in row)


def test_category_export_with_total(client_for, people, paid):
    _t, _s, header, rows, _ws = read(
        client_for(people.bob).get(EXPORT, {"year": YEAR, "part": "categories"}))
    assert header == ["类别", *ROLLUP_HEADER]
    assert [r[0] for r in rows] == ["村", "合计"]
    assert dec(rows[-1][6]) == Decimal("93200.00")


def test_short_export_is_the_default_part(client_for, people, county, paid):
    client = client_for(people.alice)
    title, scope, header, rows, ws = read(client.get(EXPORT, {"year": YEAR}))
    assert title == f"{YEAR}年经费未达标清单"
    assert header == SHORT_HEADER
    data, total = rows[:-1], rows[-1]
    assert [(r[1], r[4]) for r in data][:2] == [("B1", "城市社区服务群众专项经费"), ("A1", "村级运转经费")]
    a1 = data[1]
    assert a1[0] == "东坝镇党委" and a1[5] == "运转经费"
    assert [dec(v) for v in a1[6:10]] == [Decimal(v) for v in ("200000", "200000", "150000", "50000")]
    assert total[0] == "合计"
    for col in range(6, 10):
        assert dec(total[col]) == sum((dec(r[col]) for r in data), Decimal(0))
    assert dec(total[9]) == Decimal("373200.00")
    for row in ws.iter_rows(min_row=4, min_col=7, max_col=10):
        assert all(c.number_format == "#,##0.00" for c in row if c.value is not None)
    # The page's filters: one committee, the plan.
    _t, scope, _h, rows, _ws = read(client.get(
        EXPORT, {"year": YEAR, "part": "short", "committee": county.town_a.pk}))
    assert {r[1] for r in rows[:-1]} == {"A1", "A2"} and "党(工)委 东坝镇党委" in scope
    title, _s, _h, rows, _ws = read(client.get(EXPORT, {"year": YEAR, "short": "planned"}))
    assert title.endswith("（计划）") and rows == [["合计", None, None, None, None, None, 0, 0, 0, 0]]


@pytest.mark.parametrize("who, expected", [
    ("bob", {"A1", "A2"}), ("charlie", {"B1"}), ("dave", {"A1"}),
])
def test_exports_are_scoped(client_for, people, paid, who, expected):
    client = client_for(getattr(people, who))
    _t, _s, _h, rows, _ws = read(client.get(EXPORT, {"year": YEAR}))
    assert {r[1] for r in rows[:-1]} == expected
    _t, _s, _h, rows, _ws = read(client.get(EXPORT, {"year": YEAR, "part": "committees"}))
    assert len(rows) == 2  # one committee and the total


@pytest.mark.parametrize("part", ["evil", "COMMITTEES", "short;drop"])
def test_unknown_part_is_a_bad_request(client_for, people, paid, part):
    response = client_for(people.alice).get(EXPORT, {"part": part})
    assert response.status_code == 400


# ---------------------------------------------------------------- size and queries


@pytest.fixture(params=[10, 300], ids=lambda n: f"{n}orgs")
def grown(request, county, people, paid):
    grow(county, people, request.param)
    return request.param


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_report_queries(client_for, people, grown, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    # 1-3 session, user, grants; 4 committees, 5 categories, 6 policies (filter choices);
    # 7 the committee roll-up, 8 the committee names; 9 the category roll-up; 10 the count
    # without a basis; 11 the short list's totals, 12 its count, 13 its page.
    with django_assert_max_num_queries(13):
        response = client.get(REPORT, {"year": YEAR})
    assert response.status_code == 200
    if who == "alice":
        total = sections(response)["committee"]["total"]
        assert total["n"] == Allocation.objects.filter(year=YEAR).count()


@pytest.mark.parametrize("part", ["committees", "categories", "short"])
def test_export_queries(client_for, people, grown, part, django_assert_max_num_queries):
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 committees, 5 categories, 6 policies (filters); 7 the
    # scope names (范围); 8 the rows (a roll-up, or the short list iterated); 9 the
    # committee names.
    with django_assert_max_num_queries(9):
        _t, _s, _h, rows, _ws = read(client.get(EXPORT, {"year": YEAR, "part": part}))
    if part == "short":
        assert len(rows) == 1 + sel.allocations_for_user(
            user=people.bob, filters=sel.MoneyFilters(year=YEAR, short="paid")).count()


@pytest.mark.parametrize("size", [100, 5000])
def test_report_at_county_size(client_for, people, county, policies, size,
                               django_assert_max_num_queries):
    """The issue's bar: the same queries for 100 and for 5,000 organizations."""
    add_many_branches(county.town_a, size, prefix="S")
    services.generate_allocations(root=county.county, year=YEAR, by=people.alice)
    client = client_for(people.alice)
    # As test_report_queries: 3 request, 3 filter choices, 2 committee roll-up, 1 category
    # roll-up, 1 basis count, 3 short list.
    with django_assert_max_num_queries(13):
        response = client.get(REPORT, {"year": YEAR})
    assert response.status_code == 200
    total = sections(response)["committee"]["total"]
    assert total["n_orgs"] == size + 3
    assert total["n"] == Allocation.objects.filter(year=YEAR).count()
    assert len(response.context["rows"]) == PAGE_SIZE
