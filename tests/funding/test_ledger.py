"""经费台账 (funding/views/ledger.py): the ledger page, its export and generating the year.

After the `paid` fixture the ledger of 2026 holds 13 allocations: A1 and A2 four each
(two of them without a basis yet), B1 five; A1 is short 50,000.00 on 村级运转经费.
"""

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from funding import services
from funding.models import Allocation
from funding.views.common import PAGE_SIZE

from .conftest import YEAR, grow

pytestmark = pytest.mark.django_db

LEDGER = reverse("funding:ledger")
EXPORT = reverse("funding:ledger_export")
GENERATE = reverse("funding:generate")
HEADER = ["党(工)委", "组织代码", "组织名称", "类别", "经费标准", "经费类型", "计算基数", "标准下限",
          "标准上限", "计划金额", "已拨付", "缺口", "备注"]
MONEY_COLUMNS = range(7, 12)  # 标准下限 … 缺口, 0-based
CENT = Decimal("0.01")


def rows_of(response):
    assert response.status_code == 200, response.content[:300]
    return response.context["rows"]


def codes(response):
    return {a.organization.code for a in rows_of(response)}


def read(response):
    """(title, scope line, header, data rows, the worksheet) of an export."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:], ws


def dec(value):
    return Decimal(str(value or 0)).quantize(CENT)


# ---------------------------------------------------------------- the page


def test_ledger_lists_the_year_with_totals_of_every_row(client_for, people, paid):
    response = client_for(people.alice).get(LEDGER, {"year": YEAR})
    rows = rows_of(response)
    assert len(rows) == 13
    totals = response.context["totals"]
    for field in ("promised_min", "planned", "paid", "pay_gap"):
        assert totals[field] == sum((getattr(a, field) or 0 for a in rows), Decimal(0))
    assert (totals["paid"], totals["pay_gap"]) == (Decimal("620000.00"), Decimal("373200.00"))
    a1 = next(a for a in rows if (a.organization.code, a.policy.code) == ("A1", "village-operating"))
    assert (a1.paid, a1.pay_gap, a1.committee_name) == (Decimal("150000.00"), Decimal("50000.00"),
                                                        "东坝镇党委")
    body = response.content.decode()
    assert reverse("funding:allocation_detail", args=[a1.pk]) in body
    assert reverse("funding:org_funding", args=[a1.organization.pk]) in body
    assert "150,000.00" in body and "620,000.00" in body  # grouped, whatever the language


def test_totals_cover_every_page(client_for, people, county, paid):
    grow(county, people, PAGE_SIZE)
    response = client_for(people.alice).get(LEDGER, {"year": YEAR, "page": 2})
    everything = Allocation.objects.filter(year=YEAR)
    assert response.context["page_obj"].paginator.count == everything.count() > PAGE_SIZE
    assert len(rows_of(response)) == min(PAGE_SIZE, everything.count() - PAGE_SIZE)
    assert response.context["totals"]["n"] == everything.count()
    assert response.context["totals"]["paid"] == Decimal("620000.00")


@pytest.mark.parametrize("who, expected", [
    ("alice", {"A1", "A2", "B1"}), ("root", {"A1", "A2", "B1"}), ("bob", {"A1", "A2"}),
    ("victor", {"A1", "A2"}), ("charlie", {"B1"}), ("dave", {"A1"}), ("erin", {"A2"}),
])
def test_ledger_is_scoped(client_for, people, paid, who, expected):
    response = client_for(getattr(people, who)).get(LEDGER, {"year": YEAR})
    assert codes(response) == expected
    assert response.context["can_manage"] == (who in ("alice", "root", "bob", "charlie"))
    assert (GENERATE in response.content.decode()) == response.context["can_manage"]


def test_ledger_filters(client_for, people, county, paid, policies):
    client = client_for(people.alice)
    assert codes(client.get(LEDGER, {"year": YEAR, "committee": county.town_b.pk})) == {"B1"}
    short = rows_of(client.get(LEDGER, {"year": YEAR, "short": "paid"}))
    assert len(short) == 6 and all(a.pay_gap > 0 for a in short)
    missing = rows_of(client.get(LEDGER, {"year": YEAR, "basis": "missing"}))
    assert len(missing) == 5 and all(a.promised_min is None for a in missing)
    only = rows_of(client.get(LEDGER, {"year": YEAR, "policy": policies["village-operating"].pk}))
    assert {a.organization.code for a in only} == {"A1", "A2"}
    assert rows_of(client.get(LEDGER, {"year": YEAR - 1})) == []
    # A committee outside the scope is not a choice: ignored, the scope stays.
    assert codes(client_for(people.bob).get(LEDGER, {"year": YEAR, "committee": county.town_b.pk})) \
        == {"A1", "A2"}


def test_ledger_sorts(client_for, people, paid):
    client = client_for(people.alice)
    by_gap = rows_of(client.get(LEDGER, {"year": YEAR, "sort": "shortfall"}))
    gaps = [a.pay_gap for a in by_gap]
    assert gaps == sorted(gaps, reverse=True)
    assert (by_gap[0].organization.code, by_gap[0].policy.code) == ("B1", "community-service")
    by_policy = rows_of(client.get(LEDGER, {"year": YEAR, "sort": "policy"}))
    keys = [(a.policy.kind, a.policy.code) for a in by_policy]
    assert keys == sorted(keys)
    by_org = rows_of(client.get(LEDGER, {"year": YEAR}))
    paths = [a.organization.path for a in by_org]
    assert paths == sorted(paths)


@pytest.mark.parametrize("params", [
    {"year": "abc"}, {"year": "1800"}, {"committee": "999999"}, {"committee": "abc"},
    {"page": "zzz"}, {"page": "-1"}, {"page": "99999"}, {"sort": "evil"}, {"basis": "evil"},
    {"policy": "abc"}, {"category": "xyz"}, {"short": "evil"}, {"kind": "evil"}, {"q": "x" * 500},
])
def test_bad_parameters_never_fail(client_for, people, paid, params):
    client = client_for(people.alice)
    assert client.get(LEDGER, params).status_code == 200
    assert client.get(EXPORT, params).status_code == 200


def test_ledger_refuses(client, client_for, people, paid):
    for url in (LEDGER, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for url in (LEDGER, EXPORT):
        assert client_for(people.nobody).get(url).status_code == 403
        assert client_for(people.alice).post(url).status_code == 405


# ---------------------------------------------------------------- export


def test_export_lists_every_row_with_a_total(client_for, people, paid):
    title, scope, header, rows, ws = read(client_for(people.alice).get(EXPORT, {"year": YEAR}))
    assert title == f"{YEAR}年经费台账"
    assert scope.startswith("范围：青禾县委") and f"年度 {YEAR}年" in scope
    assert header == HEADER
    data, total = rows[:-1], rows[-1]
    assert len(data) == 13
    assert total[0] == "合计"
    for col in MONEY_COLUMNS:
        assert dec(total[col]) == sum((dec(r[col]) for r in data), Decimal(0))
    assert dec(total[10]) == Decimal("620000.00") and dec(total[11]) == Decimal("373200.00")
    a1 = next(r for r in data if r[1] == "A1" and r[4] == "村级运转经费")
    assert a1[0] == "东坝镇党委" and a1[2] == "东坝村党支部" and a1[3] == "村" and a1[5] == "运转经费"
    assert [dec(v) for v in a1[7:12]] == [Decimal(v) for v in
                                          ("200000", "300000", "200000", "150000", "50000")]
    missing = [r for r in data if r[7] is None]
    assert len(missing) == 5 and all("计算基数未录入" in r[12] for r in missing)
    # Yuan formatting on every money cell, the total row included.
    for row in ws.iter_rows(min_row=4, min_col=8, max_col=12):
        for cell in row:
            if cell.value is not None:
                assert cell.number_format == "#,##0.00"


def test_export_follows_filters_and_scope(client_for, people, county, paid):
    _t, scope, _h, rows, _ws = read(client_for(people.alice).get(
        EXPORT, {"year": YEAR, "committee": county.town_a.pk, "short": "paid", "sort": "shortfall"}))
    assert [(r[1], r[4]) for r in rows[:-1]] == [
        ("A1", "村级运转经费"), ("A1", "村党组织书记基本报酬"), ("A2", "村党组织书记基本报酬")]
    assert dec(rows[-1][11]) == Decimal("93200.00")
    assert "党(工)委 东坝镇党委" in scope and "缺口 实拨低于标准" in scope
    for who, expected in (("bob", {"A1", "A2"}), ("charlie", {"B1"}), ("dave", {"A1"})):
        _t, scope, _h, rows, _ws = read(client_for(getattr(people, who)).get(EXPORT, {"year": YEAR}))
        assert {r[1] for r in rows[:-1]} == expected
    assert scope.startswith("范围：东坝村党支部")


def test_export_of_nothing_has_a_zero_total(client_for, people, paid):
    _t, _s, _h, rows, _ws = read(client_for(people.alice).get(EXPORT, {"year": YEAR - 1}))
    assert rows[0][0] == "合计" and dec(rows[0][11]) == 0 and len(rows) == 1


# ---------------------------------------------------------------- generate


def test_generate_plans_the_year_and_a_rerun_adds_nothing(client_for, people, county, policies):
    client = client_for(people.alice)
    page = client.get(GENERATE)
    assert page.status_code == 200
    roots = list(page.context["form"].fields["root"].queryset)
    assert [o.code for o in roots] == ["C", "A", "B"]
    response = client.post(GENERATE, {"year": YEAR, "root": county.county.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{LEDGER}?year={YEAR}"
    assert Allocation.objects.filter(year=YEAR).count() == 13
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "success" and "13" in str(message)
    edited = Allocation.objects.get(organization=county.branch_a1, policy__code="village-operating")
    services.allocation_update(allocation=edited, by=people.bob, quantity=Decimal(1),
                               planned=Decimal("260000"), note="追加")
    again = client.post(GENERATE, {"year": YEAR, "root": county.county.pk})
    assert again.status_code == 302
    assert Allocation.objects.filter(year=YEAR).count() == 13
    edited.refresh_from_db()
    assert edited.planned == Decimal("260000.00")


def test_committee_staff_generate_under_their_committee(client_for, people, county, policies):
    client = client_for(people.bob)
    assert [o.code for o in client.get(GENERATE).context["form"].fields["root"].queryset] == ["A"]
    response = client.post(GENERATE, {"year": YEAR, "root": county.town_a.pk})
    assert response["Location"] == f"{LEDGER}?year={YEAR}&committee={county.town_a.pk}"
    assert set(Allocation.objects.values_list("organization__code", flat=True)) == {"A1", "A2"}


@pytest.mark.parametrize("data", [
    {"year": YEAR, "root": "town_a"}, {"year": YEAR, "root": "county"},
    {"year": YEAR, "root": "999999"}, {"year": YEAR, "root": "abc"}, {"year": "abc", "root": "town_b"},
    {"year": "1800", "root": "town_b"}, {},
])
def test_generate_outside_the_scope_or_malformed_is_a_form_error(client_for, people, county,
                                                                 policies, data):
    if data.get("root") in ("town_a", "town_b", "county"):
        data = {**data, "root": getattr(county, data["root"]).pk}
    response = client_for(people.charlie).post(GENERATE, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Allocation.objects.exists()


def test_generate_refuses(client, client_for, people, county, policies):
    response = client.get(GENERATE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for who in ("dave", "erin", "harry", "victor", "nobody"):
        c = client_for(getattr(people, who))
        assert c.get(GENERATE).status_code == 403
        assert c.post(GENERATE, {"year": YEAR, "root": county.town_a.pk}).status_code == 403
    assert not Allocation.objects.exists()
    assert client_for(people.alice).put(GENERATE).status_code == 405


def test_generate_without_policies_warns(client_for, people, county):
    response = client_for(people.alice).post(GENERATE, {"year": YEAR, "root": county.county.pk})
    assert response.status_code == 302
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "warning"


# ---------------------------------------------------------------- size and queries


@pytest.fixture(params=[10, 300], ids=lambda n: f"{n}orgs")
def grown(request, county, people, paid):
    grow(county, people, request.param)
    return request.param


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_ledger_queries(client_for, people, grown, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    # 1-3 session, user, grants; 4 committees, 5 categories, 6 policies (filter choices);
    # 7 the totals; 8 the count; 9 the page with organization, category and policy;
    # 10 the committee names.
    with django_assert_max_num_queries(10):
        response = client.get(LEDGER, {"year": YEAR, "sort": "shortfall"})
    assert response.status_code == 200
    if who == "alice":
        assert response.context["totals"]["n"] == Allocation.objects.filter(year=YEAR).count()


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_ledger_export_queries(client_for, people, grown, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    # 1-3 session, user, grants; 4 committees, 5 categories, 6 policies (filters); 7 the
    # names of the scope roots (范围); 8 the committee names; 9 the count (download now
    # or in the background: the exports app); 10 the rows (iterated).
    with django_assert_max_num_queries(10):
        _t, _s, _h, rows, _ws = read(client.get(EXPORT, {"year": YEAR}))
    expected = Allocation.objects.visible_to(getattr(people, who)).filter(year=YEAR).count()
    assert len(rows) == expected + 1
