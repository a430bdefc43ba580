"""The funding admin: scoped like the pages; policies written by county staff over the
issuing county, allocations and payments by staff over the organization, through the
services (the promise follows the basis, a payment passes check_payment)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from funding.models import Allocation, Disbursement, FundingPolicy
from orgs.models import Level, Role
from tests.factories import AssignmentFactory, OrganizationFactory, UserFactory

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    for user in (people.alice, people.bob, people.charlie, people.victor, people.dave):
        user.is_staff = True
        user.save()
    return people


@pytest.fixture
def other():
    root = OrganizationFactory(code="OC", name="邻县县委", level=Level.COUNTY, category=None)
    village = OrganizationFactory(parent=root, code="OC1", name="邻县某村党支部")
    root.refresh_from_db()
    zoe = UserFactory(username="zoe", full_name="邻县 周", is_staff=True)
    AssignmentFactory(user=zoe, organization=root, role=Role.COUNTY_STAFF)
    services.load_policies(county=root, by=zoe)
    services.generate_allocations(root=root, year=YEAR, by=zoe)
    allocation = Allocation.objects.get(organization=village, policy__code="village-operating")
    services.disbursement_record(allocation=allocation, by=zoe, paid_on=date(YEAR, 5, 1),
                                 amount=Decimal("1000.00"), voucher_no="OC-1")
    return root


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:funding_{model}_{action}", args=args)


def shown(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_changelists_are_scoped(client_for, staff, county, paid, other):
    everyone = Allocation.objects.filter(organization__path__startswith=county.county.path)
    bob = client_for(staff.bob)
    allocations = shown(bob.get(admin_url("allocation")))
    assert allocations and {a.organization.code for a in allocations} == {"A1", "A2"}
    assert {p.voucher_no for p in shown(bob.get(admin_url("disbursement")))} == {
        "PZ-A1-1", "PZ-A2-1", "PZ-A2-2"}
    dave = client_for(staff.dave)
    assert {a.organization.code for a in shown(dave.get(admin_url("allocation")))} == {"A1"}
    assert {p.voucher_no for p in shown(dave.get(admin_url("disbursement")))} == {"PZ-A1-1"}
    alice = client_for(staff.alice)
    assert len(shown(alice.get(admin_url("allocation")))) == everyone.count()
    assert "OC-1" not in {p.voucher_no for p in shown(alice.get(admin_url("disbursement")))}
    # Policies go down the tree: bob and dave read their county's, nobody the neighbour's.
    for user in (staff.alice, staff.bob, staff.dave):
        owners = {p.owner.code for p in shown(client_for(user).get(admin_url("fundingpolicy")))}
        assert owners == {"C"}
    root = client_for(staff.root)
    assert len(shown(root.get(admin_url("fundingpolicy")))) == 30
    assert "OC-1" in {p.voucher_no for p in shown(root.get(admin_url("disbursement")))}


def test_filters_and_search(client_for, staff, paid, policies):
    client = client_for(staff.bob)
    operating = policies["village-operating"]
    rows = shown(client.get(admin_url("allocation"), {"policy__id__exact": operating.pk}))
    assert {a.organization.code for a in rows} == {"A1", "A2"}
    rows = shown(client.get(admin_url("allocation"), {"year": YEAR, "policy__kind": "secretary_pay"}))
    assert {a.policy.code for a in rows} == {"village-secretary-pay"}
    assert shown(client.get(admin_url("allocation"), {"year": YEAR - 1})) == []
    assert {a.organization.code for a in shown(client.get(admin_url("allocation"), {"q": "柳树"}))} == {"A2"}
    assert [p.voucher_no for p in shown(client.get(admin_url("disbursement"), {"q": "PZ-A1"}))] == [
        "PZ-A1-1"]
    rows = shown(client.get(admin_url("disbursement"), {"allocation__year": YEAR}))
    assert len(rows) == 3
    rows = shown(client.get(admin_url("fundingpolicy"), {"kind__exact": "operating", "q": "村级"}))
    assert [p.code for p in rows] == ["village-operating"]
    # The policy filter offers only policies of bob's own rows (not the neighbour county's).
    response = client.get(admin_url("allocation"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "邻县" not in html


def test_outsiders_reach_no_row_and_no_history(client_for, staff, paid, other):
    mine = paid["A1", "village-operating"]
    payment = mine.disbursements.get()
    charlie = client_for(staff.charlie)
    assert charlie.get(admin_url("allocation", "change", mine.pk)).status_code == 302
    assert charlie.get(admin_url("allocation", "history", mine.pk)).status_code == 404
    assert charlie.get(admin_url("disbursement", "change", payment.pk)).status_code == 302
    assert charlie.get(admin_url("disbursement", "history", payment.pk)).status_code == 404
    theirs = FundingPolicy.objects.get(owner=other, code="village-operating")
    alice = client_for(staff.alice)
    assert alice.get(admin_url("fundingpolicy", "change", theirs.pk)).status_code == 302
    assert alice.get(admin_url("fundingpolicy", "history", theirs.pk)).status_code == 404
    assert client_for(staff.bob).get(admin_url("allocation", "history", mine.pk)).status_code == 200


def test_non_staff_and_roleless_staff_see_nothing(client_for, people, paid):
    assert client_for(people.bob).get(admin_url("allocation")).status_code == 302
    people.nobody.is_staff = True
    people.nobody.save()
    for model in ("allocation", "disbursement", "fundingpolicy"):
        assert client_for(people.nobody).get(admin_url(model)).status_code == 403


def test_readers_cannot_write(client_for, staff, paid, policies):
    mine = paid["A1", "village-operating"]
    payment = mine.disbursements.get()
    for user in (staff.victor, staff.dave):
        client = client_for(user)
        assert client.get(admin_url("allocation", "add")).status_code == 403
        assert client.get(admin_url("disbursement", "add")).status_code == 403
        page = client.get(admin_url("allocation", "change", mine.pk))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        assert client.post(admin_url("allocation", "change", mine.pk),
                           {"planned": "1", "quantity": "1"}).status_code == 403
        assert client.post(admin_url("disbursement", "delete", payment.pk),
                           {"post": "yes"}).status_code == 403
    # Committee staff read their county's policies and write none of them.
    bob = client_for(staff.bob)
    assert bob.get(admin_url("fundingpolicy", "add")).status_code == 403
    page = bob.get(admin_url("fundingpolicy", "change", policies["village-operating"].pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    mine.refresh_from_db()
    assert mine.planned == Decimal("200000.00")


def test_choices_are_limited_to_the_scope(client_for, staff, paid, other):
    client = client_for(staff.bob)
    form = client.get(admin_url("allocation", "add")).context["adminform"].form
    assert {o.code for o in form.fields["organization"].queryset} == {"A", "A1", "A2"}
    assert {p.owner.code for p in form.fields["policy"].queryset} == {"C"}
    form = client.get(admin_url("disbursement", "add")).context["adminform"].form
    assert {a.organization.code for a in form.fields["allocation"].queryset} == {"A1", "A2"}
    # Posting a row outside the scope is refused like any invalid choice.
    theirs = Allocation.objects.filter(organization__code="OC1").first()
    response = client.post(admin_url("disbursement", "add"), {
        "allocation": theirs.pk, "paid_on": f"{YEAR}-06-01", "amount": "10", "voucher_no": "X-1",
    })
    assert response.status_code == 200 and "allocation" in response.context["adminform"].form.errors
    b1 = paid["B1", "community-operating"].organization
    response = client.post(admin_url("allocation", "add"), {
        "organization": b1.pk, "policy": FundingPolicy.objects.get(
            owner__code="C", code="community-party-work").pk, "year": YEAR + 1, "planned": "",
    })
    assert response.status_code == 200 and "organization" in response.context["adminform"].form.errors
    assert not Allocation.objects.filter(year=YEAR + 1).exists()
    # The one client is now alice's (client_for logs the same client in).
    form = client_for(staff.alice).get(admin_url("fundingpolicy", "add")).context["adminform"].form
    assert [o.code for o in form.fields["owner"].queryset] == ["C"]


def test_saving_an_allocation_recomputes_the_promise(client_for, staff, plan):
    heads = plan["A1", "village-sub-branch-members"]
    assert heads.promised_min is None
    client = client_for(staff.bob)
    response = client.post(admin_url("allocation", "change", heads.pk), {
        "quantity": "5", "planned": "2500.00", "note": "5名支委",
        # The read-only payments inline still posts its management form.
        "disbursements-TOTAL_FORMS": "0", "disbursements-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    heads.refresh_from_db()
    assert (heads.quantity, heads.promised_min, heads.planned) == (
        Decimal("5.00"), Decimal("3000.00"), Decimal("2500.00"))
    assert heads.history.first().history_user == staff.bob


def test_adding_an_allocation_goes_through_the_service(client_for, staff, plan, county, policies):
    client = client_for(staff.bob)
    venue = policies["village-venue"]  # on application: added by hand
    response = client.post(admin_url("allocation", "add"), {
        "organization": county.branch_a2.pk, "policy": venue.pk, "year": YEAR, "quantity": "",
        "planned": "", "note": "申请获批",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Allocation.objects.get(organization=county.branch_a2, policy=venue, year=YEAR)
    assert (added.quantity, added.promised_min, added.planned) == (
        Decimal("1.00"), Decimal("600000.00"), Decimal("600000.00"))
    assert added.created_by == staff.bob
    # Twice, or to an organization the policy does not cover: a form error, not a 500.
    again = client.post(admin_url("allocation", "add"), {
        "organization": county.branch_a2.pk, "policy": venue.pk, "year": YEAR, "planned": "",
    })
    assert again.status_code == 200 and again.context["adminform"].form.non_field_errors()
    town = client.post(admin_url("allocation", "add"), {
        "organization": county.town_a.pk, "policy": venue.pk, "year": YEAR, "planned": "",
    })
    assert town.status_code == 200 and "policy" in town.context["adminform"].form.errors
    garbage = client.post(admin_url("allocation", "add"), {
        "organization": "abc", "policy": "x", "year": "1800", "planned": "-5",
    })
    assert garbage.status_code == 200
    assert set(garbage.context["adminform"].form.errors) >= {"organization", "policy", "year"}


def test_payments_pass_check_payment(client_for, staff, paid):
    allocation = paid["A1", "village-operating"]
    client = client_for(staff.bob)
    bad = client.post(admin_url("disbursement", "add"), {
        "allocation": allocation.pk, "paid_on": f"{YEAR - 1}-12-31", "amount": "10.00",
        "voucher_no": "PZ-A1-1",
    })
    assert bad.status_code == 200
    errors = bad.context["adminform"].form.errors
    assert set(errors) == {"paid_on", "voucher_no"} and len(errors["voucher_no"]) == 1
    zero = client.post(admin_url("disbursement", "add"), {
        "allocation": allocation.pk, "paid_on": f"{YEAR}-06-01", "amount": "0", "voucher_no": "N-1",
    })
    assert zero.status_code == 200 and set(zero.context["adminform"].form.errors) == {"amount"}
    good = client.post(admin_url("disbursement", "add"), {
        "allocation": allocation.pk, "paid_on": f"{YEAR}-06-01", "amount": "50000.00",
        "voucher_no": " PZ-A1-2 ", "note": "第二笔",
    })
    assert good.status_code == 302
    payment = Disbursement.objects.get(voucher_no="PZ-A1-2")
    assert payment.recorded_by == staff.bob and payment.amount == Decimal("50000.00")
    # A change is checked too (its own voucher number is not a duplicate).
    moved = client.post(admin_url("disbursement", "change", payment.pk), {
        "paid_on": f"{YEAR + 1}-01-01", "amount": "50000.00", "voucher_no": "PZ-A1-2",
    })
    assert moved.status_code == 200 and set(moved.context["adminform"].form.errors) == {"paid_on"}
    fixed = client.post(admin_url("disbursement", "change", payment.pk), {
        "paid_on": f"{YEAR}-07-01", "amount": "40000.00", "voucher_no": "PZ-A1-2",
    })
    assert fixed.status_code == 302
    payment.refresh_from_db()
    assert payment.amount == Decimal("40000.00") and payment.history.first().history_user == staff.bob
    # Removing keeps the history.
    assert client.post(admin_url("disbursement", "delete", payment.pk), {"post": "yes"}).status_code == 302
    assert not Disbursement.objects.filter(pk=payment.pk).exists()
    assert Disbursement.history.filter(id=payment.pk, history_type="-").get().history_user == staff.bob


def test_policy_admin(client_for, staff, county, policies):
    client = client_for(staff.alice)
    base = {
        "owner": county.county.pk, "code": "admin-made", "name": "管理后台补助", "kind": "service",
        "basis": "per_year", "rate_min": "1000", "rate_max": "", "levels": ["branch"],
        "applies_when": "every_year", "valid_from": "2025", "valid_to": "",
        "source_document": "文件", "source_text": "", "is_active": "on",
    }
    assert client.post(admin_url("fundingpolicy", "add"), base).status_code == 302
    made = FundingPolicy.objects.get(code="admin-made")
    assert made.levels == ["branch"] and made.history.first().history_user == staff.alice
    bad = client.post(admin_url("fundingpolicy", "add"), {**base, "rate_max": "10"})
    assert bad.status_code == 200 and "rate_max" in bad.context["adminform"].form.errors
    change = {k: v for k, v in base.items() if k != "owner"}
    dup = client.post(admin_url("fundingpolicy", "change", made.pk),
                      {**change, "code": "village-operating"})
    assert dup.status_code == 200 and "code" in dup.context["adminform"].form.errors
    year = client.post(admin_url("fundingpolicy", "change", made.pk), {**change, "valid_from": "99"})
    assert year.status_code == 200 and "valid_from" in year.context["adminform"].form.errors


@pytest.mark.parametrize("model", ["allocation", "disbursement", "fundingpolicy"])
def test_changelist_queries_do_not_grow(client_for, staff, paid, county, model,
                                        django_assert_max_num_queries):
    from .conftest import grow

    client = client_for(staff.bob)
    counts = []
    for n in (5, 60):
        grow(county, staff, n)
        with django_assert_max_num_queries(40) as captured:
            assert client.get(admin_url(model)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_pages_render(client_for, staff, paid, policies):
    client = client_for(staff.alice)
    allocation = paid["A1", "village-operating"]
    payment = allocation.disbursements.get()
    policy = policies["village-operating"]
    for path in (
        admin_url("allocation", "change", allocation.pk), admin_url("allocation", "add"),
        admin_url("disbursement", "change", payment.pk), admin_url("disbursement", "add"),
        admin_url("fundingpolicy", "change", policy.pk), admin_url("fundingpolicy", "add"),
        admin_url("fundingpolicy", "history", policy.pk),
        admin_url("allocation", "history", allocation.pk),
    ):
        assert client.get(path).status_code == 200, path
    page = client.get(admin_url("allocation", "change", allocation.pk)).content.decode()
    assert "PZ-A1-1" in page  # the payments inline
    # The organization picker searches the scope only.
    found = client_for(staff.bob).get(reverse("admin:autocomplete"), {
        "app_label": "funding", "model_name": "allocation", "field_name": "organization", "term": "党支部",
    })
    assert found.status_code == 200
    assert {r["text"] for r in found.json()["results"]} == {"东坝村党支部", "柳树村党支部"}
