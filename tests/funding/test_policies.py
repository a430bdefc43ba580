"""The policy pages: list, detail, form, loading the shipped policies and the export.

Read by everyone with a role in the county (policies go down the tree), written by
county staff over the issuing county; another county's policy is a 404.
"""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from funding import display, services
from funding.models import Allocation, Basis, FundingKind, FundingPolicy
from orgs.models import Category, Level, Role
from tests.factories import AssignmentFactory, OrganizationFactory, UserFactory, category

from .conftest import YEAR, grow

pytestmark = pytest.mark.django_db

HEADER = ["代码", "名称", "经费类型", "计算方式", "标准下限", "标准上限", "单位", "适用类别", "适用层级",
          "适用情形", "起始年度", "截止年度", "依据文件", "原文", "状态"]


def url(name, *args):
    return reverse(f"funding:{name}", args=args)


@pytest.fixture
def other():
    """邻县: its own county staff (zoe) and its own copy of the shipped policies."""
    root = OrganizationFactory(code="OC", name="邻县县委", level=Level.COUNTY, category=None)
    OrganizationFactory(parent=root, code="OC1", name="邻县某村党支部")
    root.refresh_from_db()
    zoe = UserFactory(username="zoe", full_name="邻县 周")
    AssignmentFactory(user=zoe, organization=root, role=Role.COUNTY_STAFF)
    services.load_policies(county=root, by=zoe)
    policies = {p.code: p for p in FundingPolicy.objects.filter(owner=root)}
    return SimpleNamespace(root=root, zoe=zoe, policies=policies)


def codes(response):
    assert response.status_code == 200
    return [p.code for p in response.context["policies"]]


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(**overrides):
    data = {
        "code": "village-library", "name": "村级农家书屋补助", "kind": FundingKind.SERVICE,
        "basis": Basis.PER_YEAR, "rate_min": "5000", "rate_max": "8000",
        "categories": [category("village").pk], "levels": [Level.BRANCH, Level.GENERAL_BRANCH],
        "top_of_category_only": "on", "applies_when": "every_year", "valid_from": "2024",
        "valid_to": "", "source_document": "县委组织部〔2024〕3号", "source_text": "每村每年5000—8000元",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------- rate text


def test_rate_text_writes_the_unit(policies):
    with translation.override("en"):
        assert display.rate_text(policies["village-operating"]) == "200,000.00–300,000.00 yuan/year"
        assert display.rate_text(policies["village-secretary-pay"]) == "1,800.00 yuan/month"
        assert display.rate_text(policies["non-public-per-member"]) == "50.00 yuan/person·year"
        assert display.rate_text(policies["soe-activity"]) == "0.5–2 %"
        assert display.rate_text(policies["two-new-startup"]) == "10,000.00 yuan (one-off)"
    assert display.range_text(Basis.PAYROLL_SHARE, Decimal("100.00"), None) == "100"
    assert display.range_text(Basis.PER_YEAR, None, None) == "—"
    assert display.UNIT_NAMES[Basis.PER_MONTH] == "元/月"


# ---------------------------------------------------------------- list


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dave", "harry", "victor", "root"])
def test_everyone_with_a_role_reads_the_county_policies(client_for, people, policies, other, who):
    listed = codes(client_for(getattr(people, who)).get(url("policy_list")))
    expected = 30 if who == "root" else 15
    assert len(listed) == expected
    if who != "root":
        assert set(listed) == set(policies)


def test_list_rows_and_buttons(client_for, people, policies):
    response = client_for(people.alice).get(url("policy_list"))
    html = response.content.decode()
    assert response.context["can_create"] and [o.code for o in response.context["owners"]] == ["C"]
    assert url("policy_create") in html and url("policy_load") in html
    assert url("policy_detail", policies["village-operating"].pk) in html
    assert "200,000.00–300,000.00" in html
    response = client_for(people.bob).get(url("policy_list"))
    assert not response.context["can_create"] and url("policy_load") not in response.content.decode()


def test_list_filters(client_for, people, policies):
    client = client_for(people.alice)
    assert set(codes(client.get(url("policy_list"), {"q": "书记基本报酬"}))) == {
        "village-secretary-pay", "community-secretary-pay"}
    assert set(codes(client.get(url("policy_list"), {"q": "seed 002"}))) == {
        p.code for p in policies.values() if "002" in p.source_document}
    assert codes(client.get(url("policy_list"), {"q": "soe-act"})) == ["soe-activity"]
    assert set(codes(client.get(url("policy_list"), {"kind": "secretary_pay"}))) == {
        "village-secretary-pay", "community-secretary-pay"}
    assert codes(client.get(url("policy_list"), {"basis": "payroll_share"})) == ["soe-activity"]
    FundingPolicy.objects.filter(pk=policies["village-venue"].pk).update(is_active=False)
    FundingPolicy.objects.filter(pk=policies["resident-group"].pk).update(valid_to=2020)
    assert codes(client.get(url("policy_list"), {"active": "no"})) == ["village-venue"]
    assert len(codes(client.get(url("policy_list"), {"active": "yes"}))) == 14
    in_force = codes(client.get(url("policy_list"), {"year": str(YEAR)}))
    assert len(in_force) == 13 and "resident-group" not in in_force and "village-venue" not in in_force
    assert "resident-group" in codes(client.get(url("policy_list"), {"year": "2019"}))


def test_list_paginates(client_for, people, policies):
    add_policies(policies["village-operating"].owner, 60)
    client = client_for(people.alice)
    first = client.get(url("policy_list"))
    assert len(first.context["policies"]) == 50 and first.context["page_obj"].paginator.count == 75
    assert len(codes(client.get(url("policy_list"), {"page": "2"}))) == 25
    assert len(codes(client.get(url("policy_list"), {"page": "999"}))) == 25


@pytest.mark.parametrize("params", [
    {"year": "abc"}, {"year": "1900"}, {"kind": "zzz"}, {"basis": "<script>"}, {"active": "maybe"},
    {"page": "x"}, {"q": "x" * 300}, {"year": "2026", "page": "-1"},
])
def test_list_ignores_garbage(client_for, people, policies, params):
    response = client_for(people.alice).get(url("policy_list"), params)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 15 or params.get("year") == "2026"


def test_list_refuses(client, client_for, people, policies):
    response = client.get(url("policy_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client_for(people.nobody).get(url("policy_list")).status_code == 403
    assert client_for(people.alice).post(url("policy_list")).status_code == 405


def test_another_countys_policies_are_not_listed(client_for, people, policies, other):
    assert not set(codes(client_for(people.alice).get(url("policy_list")))) - set(policies)
    listed = client_for(other.zoe).get(url("policy_list")).context["policies"]
    assert {p.owner_id for p in listed} == {other.root.pk}


# ---------------------------------------------------------------- detail


def test_detail_counts_the_users_allocations(client_for, people, paid, policies):
    policy = policies["village-operating"]
    response = client_for(people.alice).get(url("policy_detail", policy.pk))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["n"] == 2
    assert (totals["promised_min"], totals["planned"], totals["paid"]) == (
        Decimal("400000.00"), Decimal("400000.00"), Decimal("350000.00"))
    html = response.content.decode()
    assert "400,000.00" in html and "350,000.00" in html
    assert f"{url('ledger')}?year={YEAR}&amp;policy={policy.pk}" in html
    assert [c.code for c in response.context["categories"]] == ["village"]
    assert policy.source_text in html and policy.source_document in html
    assert response.context["can_manage"] and url("policy_edit", policy.pk) in html

    dave = client_for(people.dave).get(url("policy_detail", policy.pk))
    assert dave.status_code == 200 and not dave.context["can_manage"]
    assert (dave.context["totals"]["n"], dave.context["totals"]["paid"]) == (1, Decimal("150000.00"))
    assert url("policy_edit", policy.pk) not in dave.content.decode()
    charlie = client_for(people.charlie).get(url("policy_detail", policy.pk))
    assert charlie.context["totals"]["n"] == 0


def test_detail_year(client_for, people, paid, policies):
    client = client_for(people.alice)
    policy = policies["village-operating"]
    response = client.get(url("policy_detail", policy.pk), {"year": str(YEAR - 1)})
    assert response.context["year"] == YEAR - 1 and response.context["totals"]["n"] == 0
    assert response.context["form"]["year"].value() == str(YEAR - 1)
    for garbage in ("abc", "1900", "99999999999999999999", ""):
        response = client.get(url("policy_detail", policy.pk), {"year": garbage})
        assert response.status_code == 200
        assert response.context["year"] == display_year()
        assert response.context["form"]["year"].value() == str(display_year())
        assert bool(response.context["year_errors"]) == (garbage != "")


def display_year():
    from funding.forms_filters import default_year

    return default_year()


def test_detail_refuses(client, client_for, people, policies, other):
    policy = policies["village-operating"]
    response = client.get(url("policy_detail", policy.pk))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client_for(people.nobody).get(url("policy_detail", policy.pk)).status_code == 403
    alice = client_for(people.alice)
    assert alice.get(url("policy_detail", other.policies["village-operating"].pk)).status_code == 404
    assert alice.get(url("policy_detail", 999999)).status_code == 404
    assert alice.get("/funding/policies/abc/").status_code == 404
    assert alice.post(url("policy_detail", policy.pk)).status_code == 405


def test_detail_history(client_for, people, policies):
    policy = policies["village-operating"]
    client = client_for(people.alice)
    trail = client.get(url("policy_detail", policy.pk)).context["audit_trail"]
    # Saved, then given its categories: one creation.
    assert [e.kind for e in trail] == ["created"]
    assert trail[0].record.history_user == people.alice
    data = form_data(code=policy.code, name=policy.name, kind=policy.kind, basis=policy.basis,
                     rate_min="220000", rate_max="300000", categories=[category("village").pk,
                     category("community").pk], levels=[], valid_from="2014",
                     source_document=policy.source_document, source_text=policy.source_text,
                     reason="县委常委会2026年第5次会议")
    assert client.post(url("policy_edit", policy.pk), data).status_code == 302
    trail = client.get(url("policy_detail", policy.pk)).context["audit_trail"]
    assert trail[-1].kind == "created"
    changes = {old: new for entry in trail[:-1] for _, old, new in entry.changes}
    assert changes["200,000.00"] == "220,000.00"
    assert changes["村"] in ("村、社区", "社区、村")
    assert any(e.reason == "县委常委会2026年第5次会议" for e in trail)
    assert all(e.record.history_user == people.alice for e in trail)


# ---------------------------------------------------------------- create


def test_alice_creates_a_policy(client_for, people, county, policies):
    client = client_for(people.alice)
    form = client.get(url("policy_create")).context["form"]
    assert form.fields["owner"].widget.is_hidden
    response = client.post(url("policy_create"), form_data(owner=county.county.pk))
    policy = FundingPolicy.objects.get(code="village-library")
    assert response.status_code == 302 and response["Location"] == url("policy_detail", policy.pk)
    assert policy.owner == county.county
    assert (policy.rate_min, policy.rate_max) == (Decimal("5000"), Decimal("8000"))
    assert [c.code for c in policy.categories.all()] == ["village"]
    assert set(policy.levels) == {"branch", "general_branch"}
    assert policy.top_of_category_only and policy.valid_to is None
    assert {h.history_user for h in policy.history.all()} == {people.alice}


def test_the_owner_is_the_users_county_not_the_posted_one(client_for, people, county, other):
    response = client_for(people.alice).post(url("policy_create"), form_data(owner=other.root.pk))
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    assert not FundingPolicy.objects.filter(code="village-library").exists()


@pytest.mark.parametrize("overrides, field", [
    ({"rate_max": "4000"}, "rate_max"),
    ({"valid_from": "2026", "valid_to": "2025"}, "valid_to"),
    ({"basis": "payroll_share", "rate_min": "1", "rate_max": "150"}, "rate_max"),
    ({"basis": "payroll_share", "rate_min": "101", "rate_max": ""}, "rate_min"),
    ({"code": "village-operating"}, "code"),
    ({"code": "村级 经费"}, "code"),
    ({"rate_min": "-1"}, "rate_min"),
    ({"rate_min": "abc"}, "rate_min"),
    ({"valid_from": "1066"}, "valid_from"),
    ({"levels": ["planet"]}, "levels"),
    ({"categories": ["999999"]}, "categories"),
    ({"name": ""}, "name"),
])
def test_create_explains_each_refusal(client_for, people, county, policies, overrides, field):
    response = client_for(people.alice).post(
        url("policy_create"), form_data(owner=county.county.pk, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert len(errors[field]) == 1
    assert FundingPolicy.objects.count() == 15


def test_the_same_code_in_another_county_is_fine(client_for, people, county, other):
    response = client_for(other.zoe).post(
        url("policy_create"), form_data(code="village-operating", owner=other.root.pk,
                                        rate_min="200000", rate_max=""))
    assert response.status_code == 200 and "code" in response.context["form"].errors
    response = client_for(people.alice).post(
        url("policy_create"), form_data(code="village-operating", owner=county.county.pk))
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["bob", "charlie", "dave", "harry", "victor", "nobody"])
def test_only_county_staff_create(client_for, people, county, who):
    client = client_for(getattr(people, who))
    assert client.get(url("policy_create")).status_code == 403
    assert client.post(url("policy_create"), form_data(owner=county.county.pk)).status_code == 403
    assert not FundingPolicy.objects.exists()


def test_create_refuses(client, client_for, people):
    response = client.get(url("policy_create"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client_for(people.alice).put(url("policy_create")).status_code == 405


def test_staff_of_two_counties_choose(client_for, people, county, other):
    AssignmentFactory(user=people.alice, organization=other.root, role=Role.COUNTY_STAFF)
    client = client_for(people.alice)
    form = client.get(url("policy_create")).context["form"]
    assert not form.fields["owner"].widget.is_hidden
    assert {o.code for o in form.fields["owner"].queryset} == {"C", "OC"}
    response = client.post(url("policy_create"), form_data(owner=other.root.pk, code="x-1"))
    assert response.status_code == 302
    assert FundingPolicy.objects.get(code="x-1").owner == other.root


# ---------------------------------------------------------------- edit


def test_edit_keeps_the_planned_allocations(client_for, people, plan, policies):
    policy = policies["village-operating"]
    allocation = plan["A1", "village-operating"]
    client = client_for(people.alice)
    form = client.get(url("policy_edit", policy.pk)).context["form"]
    assert "owner" not in form.fields and form.initial["rate_min"] == policy.rate_min
    data = form_data(code=policy.code, name="村级运转经费（调整）", kind=policy.kind, basis=policy.basis,
                     rate_min="250000", rate_max="300000", levels=[], valid_from="2014",
                     source_document=policy.source_document)
    response = client.post(url("policy_edit", policy.pk), data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.name == "村级运转经费（调整）" and policy.rate_min == Decimal("250000")
    allocation.refresh_from_db()
    assert (allocation.promised_min, allocation.planned) == (Decimal("200000.00"), Decimal("200000.00"))
    # Its own code is not a duplicate; another policy's is.
    response = client.post(url("policy_edit", policy.pk), {**data, "code": "village-secretary-pay"})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["code"]


def test_edit_refuses(client, client_for, people, policies, other):
    policy = policies["village-operating"]
    response = client.get(url("policy_edit", policy.pk))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for who in ("bob", "dave", "victor"):
        client = client_for(getattr(people, who))
        assert client.get(url("policy_edit", policy.pk)).status_code == 403
        assert client.post(url("policy_edit", policy.pk), form_data()).status_code == 403
    assert client_for(people.nobody).get(url("policy_edit", policy.pk)).status_code == 403
    alice = client_for(people.alice)
    assert alice.get(url("policy_edit", other.policies["village-operating"].pk)).status_code == 404
    assert alice.post(url("policy_edit", other.policies["village-operating"].pk),
                      form_data()).status_code == 404
    assert alice.get(url("policy_edit", 999999)).status_code == 404
    assert alice.delete(url("policy_edit", policy.pk)).status_code == 405
    policy.refresh_from_db()
    assert policy.name == "村级运转经费"


# ---------------------------------------------------------------- load


def test_alice_loads_the_shipped_policies(client_for, people, county):
    client = client_for(people.alice)
    response = client.post(url("policy_load"))
    assert response.status_code == 302 and response["Location"] == url("policy_list")
    assert FundingPolicy.objects.filter(owner=county.county).count() == 15
    assert any("15" in m for m in flash(response))
    response = client.post(url("policy_load"), {"county": county.county.pk})
    assert FundingPolicy.objects.count() == 15
    assert any("0" in m and "15" in m for m in flash(response))


def test_load_asks_which_county(client_for, people, county, other):
    AssignmentFactory(user=people.alice, organization=other.root, role=Role.COUNTY_STAFF)
    client = client_for(people.alice)
    assert len(client.get(url("policy_list")).context["owners"]) == 2
    before = FundingPolicy.objects.count()
    for posted in ({}, {"county": "abc"}, {"county": county.town_a.pk}):
        response = client.post(url("policy_load"), posted)
        assert response.status_code == 302 and FundingPolicy.objects.count() == before
    client.post(url("policy_load"), {"county": county.county.pk})
    assert FundingPolicy.objects.filter(owner=county.county).count() == 15


def test_load_refuses(client, client_for, people, county, other):
    response = client.post(url("policy_load"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for who in ("bob", "dave", "victor", "nobody"):
        assert client_for(getattr(people, who)).post(url("policy_load")).status_code == 403
    # Alice cannot load into the neighbour county.
    client_for(people.alice).post(url("policy_load"), {"county": other.root.pk})
    assert client_for(people.alice).get(url("policy_load")).status_code == 405
    assert not FundingPolicy.objects.filter(owner=county.county).exists()


# ---------------------------------------------------------------- export


def read(response):
    assert response.status_code == 200, response.content[:300]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:]


def test_export(client_for, people, policies):
    title, scope, header, rows = read(client_for(people.alice).get(url("policy_export")))
    assert title == "经费标准" and scope.startswith("范围：青禾县委") and header == HEADER
    *rows, total = rows
    assert len(rows) == 15 and total[:2] == ["合计", "共 15 项"]
    by_code = {r[0]: r for r in rows}
    village = by_code["village-operating"]
    assert village[1:8] == ["村级运转经费", "运转经费", "按年", 200000, 300000, "元/年", "村"]
    assert village[8:12] == ["全部", "每年；每村（社区）一个", 2014, None]
    assert village[13] == policies["village-operating"].source_text and village[14] == "启用"
    assert by_code["soe-activity"][4:7] == [0.5, 2, "%"]
    assert by_code["two-new-startup"][7] in ("非公企业、社会组织", "社会组织、非公企业")
    assert by_code["two-new-startup"][9] == "成立当年"


def test_export_follows_the_filters(client_for, people, policies):
    client = client_for(people.alice)
    params = {"kind": "secretary_pay", "q": "书记"}
    _t, scope, _h, rows = read(client.get(url("policy_export"), params))
    listed = codes(client.get(url("policy_list"), params))
    assert [r[0] for r in rows[:-1]] == listed and len(listed) == 2
    assert "筛选：" in scope and "经费类型 书记报酬" in scope
    _t, _s, _h, rows = read(client.get(url("policy_export"), {"year": "abc", "kind": "zz"}))
    assert len(rows) == 16


def test_export_refuses(client, client_for, people, policies, other):
    response = client.get(url("policy_export"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client_for(people.nobody).get(url("policy_export")).status_code == 403
    assert client_for(people.alice).post(url("policy_export")).status_code == 405
    _t, scope, _h, rows = read(client_for(people.dave).get(url("policy_export")))
    assert {r[0] for r in rows[:-1]} == set(policies) and scope.startswith("范围：东坝村党支部")


# ---------------------------------------------------------------- query counts


def add_policies(owner, n):
    """`n` more policies of the county, each for one category."""
    village = category("village")
    made = FundingPolicy.objects.bulk_create([
        FundingPolicy(owner=owner, code=f"extra-{owner.code}-{i}", name=f"补助{i}", kind=FundingKind.SERVICE,
                      basis=Basis.PER_YEAR, rate_min=Decimal(1000 + i), valid_from=2020,
                      source_document="测试文件", levels=[Level.BRANCH])
        for i in range(n)
    ])
    FundingPolicy.categories.through.objects.bulk_create([
        FundingPolicy.categories.through(fundingpolicy_id=p.pk, category_id=village.pk) for p in made
    ])


@pytest.fixture(params=[10, 120])
def sized(request, people, county, paid, policies):
    n = request.param
    add_policies(county.county, n)
    grow(county, people, n)
    return n


@pytest.fixture(params=["alice", "bob", "dave"])
def someone(request, people):
    return getattr(people, request.param)


def test_list_queries(client_for, someone, sized, django_assert_max_num_queries):
    client = client_for(someone)
    # 1-3 session, user, grants; 4 count; 5 the page of policies with their owner;
    # 6 their categories; 7 the counties alice may load into (county staff only);
    # 8-9 base.html's unread notifications and inspector menu entry.
    with django_assert_max_num_queries(9):
        response = client.get(url("policy_list"), {"q": "", "year": str(YEAR)})
    expected = FundingPolicy.objects.visible_to(someone).in_force(YEAR).count()
    assert len(response.context["policies"]) == min(50, expected)
    assert response.context["page_obj"].paginator.count == expected


def test_detail_queries(client_for, someone, sized, policies, django_assert_max_num_queries):
    client = client_for(someone)
    policy = policies["village-operating"]
    # 1-3 session, user, grants; 4 the policy with its owner; 5 the allocation totals;
    # 6 categories; 7-9 history records with users, the categories they held, names;
    # 10-11 base.html's unread notifications and inspector menu entry.
    with django_assert_max_num_queries(11):
        response = client.get(url("policy_detail", policy.pk), {"year": str(YEAR)})
    assert response.context["totals"]["n"] == Allocation.objects.visible_to(someone).filter(
        policy=policy, year=YEAR).count()


def test_export_queries(client_for, someone, sized, django_assert_max_num_queries):
    client = client_for(someone)
    # 1-3 session, user, grants; 4 the scope's names; 5 the policies with owners;
    # 6 their categories.
    with django_assert_max_num_queries(6):
        _t, _s, _h, rows = read(client.get(url("policy_export")))
    assert len(rows) == 15 + sized + 1


def test_categories_checkboxes_list_active_categories(client_for, people, policies):
    Category.objects.filter(code="mobile").update(is_active=False)
    form = client_for(people.alice).get(url("policy_create")).context["form"]
    assert "mobile" not in {c.code for c in form.fields["categories"].queryset}
