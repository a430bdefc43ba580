"""load_demo: a realistic county, valid as a tree, one working login per role, safe to rerun."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from orgs.demo.county import LAGGING_CODES, LOGINS
from orgs.demo.loader import VENUE_RULE_AREA, VENUE_RULE_MEMBERS, figures, rows
from orgs.models import (
    COMMITTEE_LEVELS,
    Assignment,
    Category,
    Level,
    Organization,
    level_can_hold,
)
from standards.libraries import LIBRARY_CODES
from standards.models import SetStatus, StandardSet

pytestmark = pytest.mark.django_db
User = get_user_model()


def load(**options):
    # The tree, logins and libraries only: the demo campaign (and its cost, ~5 s a load)
    # is tested in tests/assessments/test_demo.py.
    options.setdefault("without_campaign", True)
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo():
    load(verbosity=0)
    return {o.code: o for o in Organization.objects.select_related("category")}


def test_the_county_looks_like_the_seeds(demo):
    root = demo["QH"]
    assert root.level == Level.COUNTY and root.depth == 1
    committees = [o for o in demo.values() if o.depth == 2 and o.level in COMMITTEE_LEVELS]
    assert len(committees) >= 10
    assert len(demo) >= 85
    assert {o.category.code for o in demo.values() if o.category} == set(
        Category.objects.values_list("code", flat=True)
    )
    levels = {o.level for o in demo.values()}
    assert {Level.GENERAL_BRANCH, Level.JOINT_BRANCH, Level.TEMPORARY_BRANCH} <= levels
    # Seed 000: eight demonstration sites, each in a different field.
    sites = [o for o in demo.values() if o.is_demonstration]
    assert len(sites) == 8 and len({o.category_id for o in sites}) == 8
    # Seed 002's ≥ 70 ㎡ rule is broken on purpose a few times, for later checks to find.
    short = [
        o for o in demo.values()
        if o.venue_area is not None and o.venue_area < VENUE_RULE_AREA
        and o.member_count >= VENUE_RULE_MEMBERS
    ]
    assert 3 <= len(short) <= 8
    assert all(code in demo for code in LAGGING_CODES)
    assert [o.name for o in demo.values() if not o.is_active] == ["西湖乡老河村党支部"]


def test_the_tree_is_valid(demo):
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    by_path = {o.path: o for o in demo.values()}
    for org in demo.values():
        if org.depth == 1:
            continue
        parent = by_path[org.parent_path]
        assert level_can_hold(parent.level, org.level), (parent.name, org.name)
        assert org.code.startswith(parent.code)
        assert org.is_active or not org.numchild


def test_figures_are_plausible_and_the_same_every_run(demo):
    assert [figures(r) for r in rows()] == [figures(r) for r in rows()]
    for row in rows():
        org = demo[row.code]
        expected = figures(row)
        assert org.secretary_name == expected["secretary_name"]
        assert org.member_count == expected["member_count"]
        assert re.fullmatch(r"1[3-9]\d{9}", org.secretary_phone)
        assert 2 <= len(org.secretary_name) <= 3
        if org.is_branch and org.category.code == "village":
            assert 10 <= org.member_count <= 90
    # Members sit in branches, so a sum over a subtree counts each once.
    assert all(o.member_count == 0 for o in demo.values() if not o.is_branch)


@pytest.mark.parametrize("username, password, role, code, full_name", LOGINS)
def test_each_demo_login_holds_its_role_and_can_log_in(
    demo, client, username, password, role, code, full_name
):
    user = User.objects.get(username=username)
    assignments = list(user.assignments.values_list("role", "organization__code"))
    if role is None:
        assert user.is_superuser and user.is_staff and assignments == []
    else:
        assert assignments == [(role, code)]
        assert user.is_staff == (role == "county_staff")
        assert not user.is_superuser
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_helper_is_paired_with_a_lagging_village_of_dongba(demo):
    org = Assignment.objects.get(user__username="helper").organization
    assert org.code in LAGGING_CODES and org.path.startswith(demo["QH02"].path)
    secretary = User.objects.get(username="secretary")
    branch = secretary.assignments.get().organization
    assert secretary.full_name == branch.secretary_name
    assert branch.category.code == "village"


def test_the_county_publishes_the_shipped_standard_libraries(demo):
    sets = StandardSet.objects.filter(organization=demo["QH"], status=SetStatus.PUBLISHED)
    assert sorted(sets.values_list("code", flat=True)) == sorted(LIBRARY_CODES)


def test_history_says_where_the_rows_came_from(demo):
    with translation.override("zh-hans"):
        reason = gettext("Demo data")
    records = Organization.history.all()
    assert records.count() == len(demo)
    assert set(records.values_list("history_change_reason", "history_user__username")) == {
        (reason, "admin")
    }


def counts():
    return [
        Organization.objects.count(), User.objects.count(), Assignment.objects.count(),
        Organization.history.count(), User.history.count(), Assignment.history.count(),
    ]


def test_a_second_run_changes_nothing():
    load(verbosity=0)
    before = counts()
    county = User.objects.get(username="county")
    county.set_password("changed-by-the-user-1")
    county.save()
    paths = dict(Organization.objects.values_list("code", "path"))

    out = load()

    assert counts() == [before[0], before[1], before[2], before[3], before[4] + 1, before[5]]
    assert User.objects.get(username="county").check_password("changed-by-the-user-1")
    assert dict(Organization.objects.values_list("code", "path")) == paths
    with translation.override("zh-hans"):
        assert gettext("The demo county already exists; nothing was changed.") in out
    for username, password, *_ in LOGINS:
        assert username in out and password in out


def test_a_rerun_adds_only_what_is_missing(demo):
    from funding.models import Allocation, Disbursement
    from meetings.models import Meeting
    from supervision.models import InspectionSample

    # What points at it goes first (money, meetings, inspection samples protect it).
    Disbursement.objects.filter(allocation__organization__code="QH09-004").delete()
    Allocation.objects.filter(organization__code="QH09-004").delete()
    Meeting.objects.filter(organization__code="QH09-004").delete()
    InspectionSample.objects.filter(organization__code="QH09-004").delete()
    Organization.objects.filter(code="QH09-004").delete()
    before = counts()
    load(verbosity=0)
    assert counts()[0] == before[0] + 1
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert Organization.objects.get(code="QH09-004").parent_path == demo["QH09"].path


def test_refuses_on_production_unless_forced(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="--force") as error:
        load()
    assert "demo-admin-2026" in str(error.value)
    assert not Organization.objects.exists() and not User.objects.exists()

    load(force=True, verbosity=0)
    assert Organization.objects.filter(code="QH").exists()
