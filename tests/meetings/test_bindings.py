"""The bindings page: county staff bind a number item of their sets to a meeting type."""

from decimal import Decimal

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import ItemBinding, MeetingType
from orgs.models import Level, Role
from standards import services as std

from ..assessments import conftest as assessment_fixtures
from ..factories import AssignmentFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

small_set = assessment_fixtures.small_set  # the fixture: a published set of the test county

LIST = reverse("meetings:binding_list")


def delete_url(binding):
    return reverse("meetings:binding_delete", args=[binding.pk])


def items(standard_set):
    return {i.code: i for i in standard_set.items.all()}


@pytest.fixture
def other(db):
    """Another county with its own staff, set and meeting types."""
    root = OrganizationFactory(code="Z", name="邻县县委", level=Level.COUNTY, category=None)
    zed = UserFactory(username="zed", full_name="邻县 组织部")
    AssignmentFactory(user=zed, organization=root, role=Role.COUNTY_STAFF)
    services.load_library(county=root, by=zed)
    standard_set = std.set_create(organization=root, code="z", name="邻县五化", year=2026, by=zed)
    std.set_fill(standard_set=standard_set, by=zed, items=[std.ItemSpec(
        dimension="组织生活", code="Z-01", requirement="主题党日", kind="number",
        max_score=Decimal("10"), comparator=">=", threshold=Decimal("12"))])
    types = {t.code: t for t in MeetingType.objects.filter(owner=root)}
    return type("Other", (), {"root": root, "zed": zed, "set": standard_set, "types": types,
                              "item": standard_set.items.get()})


def post(client, standard_set, item, meeting_type):
    return client.post(LIST, {"standard_set": standard_set.pk, "item": item.pk,
                              "meeting_type": meeting_type.pk})


# ---------------------------------------------------------------- the list and the form


def test_county_staff_see_the_bound_items_and_the_unbound_number_items(client_for, people, small_set,
                                                                       library):
    zs = items(small_set)["ZS-01"]
    ItemBinding.objects.create(item=zs, meeting_type=library["theme_day"])
    response = client_for(people.alice).get(LIST)
    assert response.status_code == 200
    assert [b.item.code for b in response.context["bindings"]] == ["ZS-01"]
    offered = [label for value, label in response.context["form"].fields["item"].choices if value]
    assert [label.split()[0] for label in offered] == ["ZD-01"]  # number items, not yet bound
    html = response.content.decode()
    assert 'data-testid="binding" data-code="ZS-01" data-type="theme_day"' in html
    assert delete_url(zs.meeting_binding) in html


def test_bind_an_item(client_for, people, small_set, library):
    zs = items(small_set)["ZS-01"]
    response = post(client_for(people.alice), small_set, zs, library["theme_day"])
    assert response.status_code == 302 and response.url == f"{LIST}?set={small_set.pk}"
    binding = ItemBinding.objects.get()
    assert binding.item == zs and binding.meeting_type == library["theme_day"]


def test_a_draft_sets_items_can_be_bound(client_for, people, county, library):
    draft = std.set_create(organization=county.county, code="draft", name="草稿", year=2027,
                           by=people.alice)
    std.set_fill(standard_set=draft, by=people.alice, items=[std.ItemSpec(
        dimension="组织生活", code="D-01", requirement="党课", kind="number",
        max_score=Decimal("10"), comparator=">=", threshold=Decimal("4"))])
    client = client_for(people.alice)
    page = client.get(LIST, {"set": draft.pk})
    assert page.context["standard_set"] == draft
    response = post(client, draft, draft.items.get(), library["party_lecture"])
    assert response.status_code == 302 and ItemBinding.objects.filter(item__standard_set=draft).exists()


def test_a_non_number_item_is_refused(client_for, people, small_set, library):
    response = post(client_for(people.alice), small_set, items(small_set)["ZB-01"], library["theme_day"])
    assert response.status_code == 400
    assert "item" in response.context["form"].errors
    assert not ItemBinding.objects.exists()


def test_an_item_is_bound_once(client_for, people, small_set, library):
    zs = items(small_set)["ZS-01"]
    ItemBinding.objects.create(item=zs, meeting_type=library["theme_day"])
    response = post(client_for(people.alice), small_set, zs, library["party_lecture"])
    assert response.status_code == 400 and "item" in response.context["form"].errors
    assert ItemBinding.objects.get().meeting_type == library["theme_day"]


def test_an_item_of_another_set_than_the_posted_one_is_refused(client_for, people, county, small_set,
                                                                library):
    second = std.set_create(organization=county.county, code="second", name="第二", year=2027,
                            by=people.alice)
    response = post(client_for(people.alice), second, items(small_set)["ZS-01"], library["theme_day"])
    assert response.status_code == 400 and "item" in response.context["form"].errors


def test_another_countys_item_or_type_is_refused(client_for, people, small_set, library, other):
    client = client_for(people.alice)
    response = post(client, other.set, other.item, library["theme_day"])
    assert response.status_code == 400
    response = post(client, small_set, other.item, library["theme_day"])
    assert response.status_code == 400 and "item" in response.context["form"].errors
    response = post(client, small_set, items(small_set)["ZS-01"], other.types["theme_day"])
    assert response.status_code == 400 and "meeting_type" in response.context["form"].errors
    assert not ItemBinding.objects.exists()
    # …and the other county's staff cannot bind ours either.
    response = post(client_for(other.zed), small_set, items(small_set)["ZS-01"], library["theme_day"])
    assert response.status_code == 400 and not ItemBinding.objects.exists()


def test_other_countys_bindings_are_not_listed(client_for, people, small_set, library, other):
    ItemBinding.objects.create(item=other.item, meeting_type=other.types["theme_day"])
    response = client_for(people.alice).get(LIST)
    assert response.context["bindings"] == []
    assert all(s.organization_id != other.root.pk
               for s in response.context["chooser"].fields["set"].queryset)


@pytest.mark.parametrize("params", [{"set": "abc"}, {"set": "999999"}, {"set": ""}, {"page": "x"}])
def test_garbage_parameters_are_not_a_500(client_for, people, small_set, library, params):
    response = client_for(people.alice).get(LIST, params)
    assert response.status_code == 200
    assert response.context["standard_set"] == small_set  # the newest set instead


def test_garbage_post_is_a_form_error(client_for, people, small_set, library):
    response = client_for(people.alice).post(LIST, {"standard_set": "x", "item": "y", "meeting_type": ""})
    assert response.status_code == 400 and response.context["form"].errors
    assert not ItemBinding.objects.exists()


def test_a_county_without_sets_sees_an_empty_page(client_for, people, library):
    response = client_for(people.alice).get(LIST)
    assert response.status_code == 200 and 'data-testid="no-sets"' in response.content.decode()


@pytest.mark.parametrize("who", ["bob", "charlie", "dave", "victor", "nobody"])
def test_only_county_staff_may_bind(client_for, people, small_set, library, who):
    client = client_for(getattr(people, who))
    assert client.get(LIST).status_code == 403
    assert post(client, small_set, items(small_set)["ZS-01"], library["theme_day"]).status_code == 403
    assert not ItemBinding.objects.exists()


def test_anonymous_is_sent_to_login(client, small_set):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response.url


def test_wrong_method(client_for, people):
    assert client_for(people.alice).put(LIST).status_code == 405


# ---------------------------------------------------------------- removing one


@pytest.fixture
def binding(small_set, library):
    return ItemBinding.objects.create(item=items(small_set)["ZS-01"], meeting_type=library["theme_day"])


def test_remove_a_binding(client_for, people, binding, small_set):
    response = client_for(people.alice).post(delete_url(binding))
    assert response.status_code == 302 and response.url == f"{LIST}?set={small_set.pk}"
    assert not ItemBinding.objects.exists()


@pytest.mark.parametrize("who", ["bob", "dave", "nobody"])
def test_only_county_staff_may_remove(client_for, people, binding, who):
    assert client_for(getattr(people, who)).post(delete_url(binding)).status_code == 403
    assert ItemBinding.objects.exists()


def test_another_countys_binding_is_404(client_for, people, other):
    theirs = ItemBinding.objects.create(item=other.item, meeting_type=other.types["theme_day"])
    assert client_for(people.alice).post(delete_url(theirs)).status_code == 404
    assert client_for(people.alice).post("/meetings/bindings/999999/delete/").status_code == 404
    assert ItemBinding.objects.filter(pk=theirs.pk).exists()


def test_remove_needs_post(client_for, people, binding):
    assert client_for(people.alice).get(delete_url(binding)).status_code == 405


def test_remove_anonymous_is_sent_to_login(client, binding):
    response = client.post(delete_url(binding))
    assert response.status_code == 302 and "login" in response.url


# ---------------------------------------------------------------- query counts


@pytest.mark.parametrize("n", [3, 30])
def test_list_queries_do_not_grow(client_for, people, county, library, django_assert_max_num_queries, n):
    specs = [std.ItemSpec(dimension=f"方面{k % 3}", code=f"N-{k:02d}", requirement=f"要求{k}",
                          kind="number", max_score=Decimal("1"), comparator=">=", threshold=Decimal("1"))
             for k in range(n + 2)]
    big = std.set_create(organization=county.county, code=f"n{n}", name="多项", year=2026, by=people.alice)
    std.set_fill(standard_set=big, items=specs, by=people.alice)
    for item in list(big.items.all())[:n]:
        ItemBinding.objects.create(item=item, meeting_type=library["theme_day"])
    client = client_for(people.alice)
    # session, user, grants, the county's sets (the chooser's select; the newest is
    # chosen), its unbound number items, the bindings (item, set, dimension, type), the
    # meeting types: 7; and one more to check a set named in the address: 8.
    with django_assert_max_num_queries(7):
        response = client.get(LIST)
    assert response.status_code == 200 and len(response.context["bindings"]) == n
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"set": big.pk})
    assert response.status_code == 200 and response.context["standard_set"] == big
