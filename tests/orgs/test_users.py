"""The county staff's user pages: who may reach them, what they see, what they may change."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from orgs.models import Assignment, Level, Role, User
from tests.factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches

pytestmark = pytest.mark.django_db

STRONG = "Qinghe-2024-dangjian"
NEW_PASSWORD = {"new_password1": STRONG, "new_password2": STRONG}


@pytest.fixture
def other(people):
    """A second county (X) beside the test county, with its own staff and a secretary."""
    root = OrganizationFactory(code="X", name="白沙县委", level=Level.COUNTY, category=None)
    branch = OrganizationFactory(parent=root, code="X1", name="白沙村党支部")
    xavier = UserFactory(username="xavier", full_name="白沙村 许书记")
    AssignmentFactory(user=xavier, organization=branch, role=Role.SECRETARY)
    yolanda = UserFactory(username="yolanda", full_name="白沙县委组织部 杨")
    AssignmentFactory(user=yolanda, organization=root, role=Role.COUNTY_STAFF)
    # Holds roles in both counties: alice sees them but may not change their account.
    mixed = UserFactory(username="mixed", full_name="两县兼职 马")
    AssignmentFactory(user=mixed, organization=root, role=Role.VIEWER)
    town_a = people.bob.assignments.get().organization
    in_county = AssignmentFactory(user=mixed, organization=town_a, role=Role.VIEWER)
    return SimpleNamespace(
        root=root, branch=branch, xavier=xavier, yolanda=yolanda, mixed=mixed,
        mixed_in_county=in_county,
        xavier_assignment=xavier.assignments.get(),
    )


def user_urls(target, assignment):
    """Every user-management URL with the method it is used with."""
    return [
        ("get", reverse("orgs:user_list")),
        ("get", reverse("orgs:user_create")),
        ("post", reverse("orgs:user_create")),
        ("get", reverse("orgs:user_detail", args=[target.pk])),
        ("post", reverse("orgs:user_detail", args=[target.pk])),
        ("get", reverse("orgs:user_password", args=[target.pk])),
        ("post", reverse("orgs:user_password", args=[target.pk])),
        ("post", reverse("orgs:assignment_create", args=[target.pk])),
        ("post", reverse("orgs:assignment_delete", args=[assignment.pk])),
    ]


# --- Who may reach the pages -------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, people):
    for method, url in user_urls(people.erin, people.erin.assignments.get()):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["bob", "charlie", "victor", "dave", "erin", "harry", "nobody"])
def test_everyone_but_county_staff_gets_403(client, people, persona):
    client.force_login(getattr(people, persona))
    # dave against his sibling erin's account and role: still 403, nothing learnt, nothing changed.
    for method, url in user_urls(people.erin, people.erin.assignments.get()):
        response = getattr(client, method)(url, {"full_name": "改名", "is_active": ""})
        assert response.status_code == 403, (persona, url)
    people.erin.refresh_from_db()
    assert people.erin.full_name == "柳树村 刘书记" and people.erin.is_active
    assert people.erin.assignments.count() == 1


def test_county_staff_get_404_outside_their_county(client, people, other):
    client.force_login(people.alice)
    for method, url in user_urls(other.xavier, other.xavier_assignment):
        if "users/add" in url or url == reverse("orgs:user_list"):
            continue  # not about one user
        data = {"full_name": "改名", "org_code": "A1", "role": "viewer"}
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    assert other.xavier.assignments.count() == 1
    other.xavier.refresh_from_db()
    assert other.xavier.full_name == "白沙村 许书记"
    # The other county's staff cannot reach alice's people either.
    client.force_login(other.yolanda)
    for method, url in user_urls(people.dave, people.dave.assignments.get()):
        if "users/add" in url or url == reverse("orgs:user_list"):
            continue
        assert getattr(client, method)(url).status_code == 404, url


def test_other_roles_do_not_widen_the_user_management_scope(client, people, other):
    """alice also reads county X as a viewer: she still manages users of her own county only."""
    AssignmentFactory(user=people.alice, organization=other.root, role=Role.VIEWER)
    client.force_login(people.alice)
    assert "xavier" not in listed(client.get(reverse("orgs:user_list")))
    assert client.get(reverse("orgs:user_detail", args=[other.xavier.pk])).status_code == 404
    data = {"new_password1": STRONG, "new_password2": STRONG}
    response = client.post(reverse("orgs:user_password", args=[other.xavier.pk]), data)
    assert response.status_code == 404
    response = client.post(
        reverse("orgs:assignment_create", args=[people.dave.pk]),
        {"org_code": "X1", "role": Role.HELPER},
    )
    assert response.status_code == 400
    other.xavier.refresh_from_db()
    assert not other.xavier.check_password(STRONG)
    assert not people.dave.assignments.filter(organization=other.branch).exists()


def test_a_user_without_any_role_is_404(client, people):
    client.force_login(people.alice)
    assert client.get(reverse("orgs:user_detail", args=[people.nobody.pk])).status_code == 404


def test_remove_is_post_only(client, people):
    client.force_login(people.alice)
    url = reverse("orgs:assignment_delete", args=[people.dave.assignments.get().pk])
    assert client.get(url).status_code == 405
    assert people.dave.assignments.count() == 1


# --- The list ----------------------------------------------------------------------------------


def listed(response):
    return {u.username for u in response.context["users"]}


def test_list_shows_the_users_with_a_role_in_scope(client, people, other):
    client.force_login(people.alice)
    response = client.get(reverse("orgs:user_list"))
    assert response.status_code == 200
    assert listed(response) == {
        "alice", "bob", "charlie", "dave", "erin", "harry", "victor", "mixed"
    }
    # Only the roles inside alice's county are shown, never the organizations of county X.
    content = response.content.decode()
    assert "白沙县委" not in content and "白沙村党支部" not in content
    assert "东坝村党支部" in content


def test_list_filters(client, people, other, county):
    people.dave.phone = "13912345678"
    people.dave.save()
    people.erin.is_active = False
    people.erin.save()
    client.force_login(people.alice)
    url = reverse("orgs:user_list")
    assert listed(client.get(url, {"q": "1391234"})) == {"dave"}
    assert listed(client.get(url, {"q": "刘书记"})) == {"erin"}
    assert listed(client.get(url, {"q": "CHAR"})) == {"charlie"}
    assert listed(client.get(url, {"role": Role.SECRETARY})) == {"dave", "erin"}
    assert listed(client.get(url, {"org": county.town_b.pk})) == {"charlie"}
    # The role and the organization hold for the same role: victor views town A, bob staffs it.
    assert listed(client.get(url, {"org": county.town_a.pk, "role": Role.VIEWER})) == {
        "victor", "mixed"
    }
    assert listed(client.get(url, {"active": "0"})) == {"erin"}
    assert "erin" not in listed(client.get(url, {"active": "1"}))
    # Junk in the query string is ignored, never a 500; an organization outside scope is no filter.
    response = client.get(url, {"role": "king", "org": other.root.pk, "active": "x", "page": "zz"})
    assert response.status_code == 200
    assert "mixed" in listed(response)


def test_superuser_sees_every_user(client, people, other):
    client.force_login(people.root)
    response = client.get(reverse("orgs:user_list"))
    assert {"xavier", "yolanda", "nobody", "alice"} <= listed(response)


def add_many_users(orgs, count, prefix="bulk"):
    users = User.objects.bulk_create(
        User(username=f"{prefix}{i:05d}", full_name=f"批量用户{i}", phone=f"1390000{i:04d}")
        for i in range(count)
    )
    if users[0].pk is None:  # backends without RETURNING
        users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    Assignment.objects.bulk_create(
        Assignment(user=u, organization=orgs[i % len(orgs)], role=Role.SECRETARY)
        for i, u in enumerate(users)
    )


@pytest.mark.parametrize("branches,users", [(100, 20), (3000, 400)])
def test_list_query_count_does_not_grow(
    client, people, county, django_assert_max_num_queries, branches, users
):
    orgs = add_many_branches(county.town_a, branches)
    add_many_users(orgs, users)
    client.force_login(people.alice)
    # 1 session, 2 user, 3 alice's roles, 4 committees for the filter, 5 count,
    # 6 the page of users, 7 their roles in scope with the organizations.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("orgs:user_list"), {"role": Role.SECRETARY, "q": "批量"})
    assert response.status_code == 200
    assert len(response.context["users"]) == min(users, 50)
    assert "批量用户" in response.content.decode()


# --- Creating a user ---------------------------------------------------------------------------


def create_data(**overrides):
    data = {
        "full_name": "新任书记 吴",
        "username": "wu",
        "phone": "13700000001",
        "email": "wu@example.cn",
        "password1": STRONG,
        "password2": STRONG,
        "org_code": "A1",
        "role": Role.SECRETARY,
    }
    data.update(overrides)
    return data


def test_create_a_user_with_a_first_role(client, people, county):
    client.force_login(people.alice)
    response = client.post(
        reverse("orgs:user_create"), create_data(is_superuser="on", is_staff="on")
    )
    user = User.objects.get(username="wu")
    assert response.status_code == 302
    assert response.url == reverse("orgs:user_detail", args=[user.pk])
    assert user.check_password(STRONG)
    assert user.full_name == "新任书记 吴" and user.phone == "13700000001"
    # County staff cannot hand out admin rights, whatever the form posts.
    assert not user.is_superuser and not user.is_staff
    assignment = user.assignments.get()
    assert (assignment.organization, assignment.role) == (county.branch_a1, Role.SECRETARY)
    record = assignment.history.get()
    assert record.history_type == "+" and record.history_user == people.alice
    assert user.history.get().history_user == people.alice
    # The new secretary can log in and lands on their branch.
    client.logout()
    response = client.post(
        reverse("login"), {"username": "wu", "password": STRONG}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302


def test_create_prefills_the_org_code(client, people):
    client.force_login(people.alice)
    response = client.get(reverse("orgs:user_create"), {"org": "A2"})
    assert response.context["form"]["org_code"].value() == "A2"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"password1": "password", "password2": "password"}, "password1", "这个密码太常见了。"),
        ({"password2": STRONG + "x"}, "password2", "输入的两个密码不一致。"),
        ({"username": "Dave"}, "username", "已存在一位使用该名字的用户。"),
        ({"username": ""}, "username", "这个字段是必填项。"),
        ({"full_name": ""}, "full_name", "这个字段是必填项。"),
        ({"org_code": "X1"}, "org_code", None),  # the other county's branch
        ({"org_code": "NOPE"}, "org_code", None),
        ({"org_code": "A1", "role": Role.COUNTY_STAFF}, "role", None),
        ({"role": "king"}, "role", None),
        ({"phone": "call me"}, "phone", None),
    ],
)
def test_create_refuses_bad_input_in_chinese(client, people, other, overrides, field, message):
    client.force_login(people.alice)
    before = User.objects.count()
    response = client.post(reverse("orgs:user_create"), create_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
        assert message in response.content.decode()
    assert User.objects.count() == before


def test_create_refuses_an_inactive_org(client, people, county):
    from orgs.services import org_set_active

    org_set_active(org=county.branch_a2, active=False, by=people.alice)
    client.force_login(people.alice)
    response = client.post(reverse("orgs:user_create"), create_data(org_code="A2"))
    assert "org_code" in response.context["form"].errors
    assert not User.objects.filter(username="wu").exists()


# --- The detail page: editing, deactivating, history -------------------------------------------


def test_detail_shows_roles_in_scope_and_history(client, people, other):
    client.force_login(people.alice)
    response = client.get(reverse("orgs:user_detail", args=[other.mixed.pk]))
    assert response.status_code == 200
    assert [a.organization.code for a in response.context["target"].scoped_assignments] == ["A"]
    assert response.context["target"].outside_count == 1
    assert not response.context["can_change"]
    content = response.content.decode()
    assert "白沙县委" not in content
    kinds = [e.kind for e in response.context["history"]]
    assert "created" in kinds and kinds.count("assigned") == 1  # the role in county X is not told


def test_edit_and_deactivate_a_user_keeps_history(client, people):
    client.force_login(people.alice)
    url = reverse("orgs:user_detail", args=[people.dave.pk])
    data = {"full_name": "东坝村 陈建国", "phone": "13800000009", "email": "", "is_active": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    people.dave.refresh_from_db()
    assert people.dave.full_name == "东坝村 陈建国" and not people.dave.is_active
    latest = people.dave.history.first()
    assert latest.history_user == people.alice and latest.history_change_reason
    # The page tells the story: who changed what.
    response = client.get(url)
    edits = [e for e in response.context["history"] if e.kind == "edited"]
    assert edits and edits[0].who == people.alice
    changes = {(old, new) for _label, old, new in edits[0].changes}
    assert changes == {("东坝村 陈书记", "东坝村 陈建国"), ("—", "13800000009"), ("是", "否")}
    assert "陈建国" in response.content.decode()
    # A deactivated user cannot log in.
    client.logout()
    response = client.post(
        reverse("login"), {"username": "dave", "password": "pass-word-123"}, REMOTE_ADDR="10.1.1.2"
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_logins_do_not_fill_the_history(client, people):
    for _ in range(3):
        client.post(
            reverse("login"),
            {"username": "dave", "password": "pass-word-123"},
            REMOTE_ADDR="10.1.1.3",
        )
    client.force_login(people.alice)
    response = client.get(reverse("orgs:user_detail", args=[people.dave.pk]))
    assert sorted(e.kind for e in response.context["history"]) == ["assigned", "created"]


def test_county_staff_cannot_deactivate_themselves(client, people):
    client.force_login(people.alice)
    url = reverse("orgs:user_detail", args=[people.alice.pk])
    response = client.post(url, {"full_name": "王敏", "phone": "", "email": "", "is_active": ""})
    assert response.status_code == 400
    assert "is_active" in response.context["edit_form"].errors
    people.alice.refresh_from_db()
    assert people.alice.is_active and people.alice.full_name == "县委组织部 王敏"


def test_bad_edit_input_changes_nothing(client, people):
    client.force_login(people.alice)
    url = reverse("orgs:user_detail", args=[people.dave.pk])
    data = {"full_name": "", "phone": "x", "email": "not-mail", "is_active": "on"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert set(response.context["edit_form"].errors) == {"full_name", "phone", "email"}
    people.dave.refresh_from_db()
    assert people.dave.full_name == "东坝村 陈书记"


def test_accounts_with_roles_elsewhere_or_admin_rights_are_read_only(client, people, other):
    staff = UserFactory(username="clerk", is_staff=True)
    AssignmentFactory(user=staff, organization=people.dave.assignments.get().organization,
                      role=Role.VIEWER)
    client.force_login(people.alice)
    for target in (other.mixed, staff):
        detail = reverse("orgs:user_detail", args=[target.pk])
        assert client.get(detail).status_code == 200
        assert client.post(detail, {"full_name": "改", "is_active": ""}).status_code == 403
        password = reverse("orgs:user_password", args=[target.pk])
        assert client.get(password).status_code == 403
        assert client.post(password, NEW_PASSWORD).status_code == 403
        target.refresh_from_db()
        assert target.is_active and not target.check_password(STRONG)
    # A superuser may.
    client.force_login(people.root)
    password = reverse("orgs:user_password", args=[staff.pk])
    assert client.post(password, NEW_PASSWORD).status_code == 302


def test_detail_query_count_does_not_grow(client, people, county, django_assert_max_num_queries):
    # The page's queries: 1 session, 2 user, 3 alice's roles, 4 the target, 5 the target's
    # roles, 6 the target's history, 7 the history of their roles.
    counts = []
    for size in (2, 40):
        orgs = add_many_branches(county.town_b, size, prefix=f"Q{size}-")
        for org in orgs:
            Assignment.objects.create(user=people.charlie, organization=org, role=Role.VIEWER)
        for i in range(size):
            people.charlie.phone = f"1370000{i:04d}"
            people.charlie.save()
        client.force_login(people.alice)
        with django_assert_max_num_queries(7) as captured:
            response = client.get(reverse("orgs:user_detail", args=[people.charlie.pk]))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- Passwords ---------------------------------------------------------------------------------


def test_set_a_password(client, people):
    client.force_login(people.alice)
    url = reverse("orgs:user_password", args=[people.dave.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "密码长度太短" in response.content.decode()
    people.dave.refresh_from_db()
    assert people.dave.check_password("pass-word-123")

    response = client.post(url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302
    people.dave.refresh_from_db()
    assert people.dave.check_password(STRONG)
    assert people.dave.history.first().history_user == people.alice
    response = client.get(reverse("orgs:user_detail", args=[people.dave.pk]))
    assert "note" in [e.kind for e in response.context["history"]]


def test_setting_ones_own_password_keeps_the_session(client, people):
    client.force_login(people.alice)
    url = reverse("orgs:user_password", args=[people.alice.pk])
    assert client.post(url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302
    assert client.get(reverse("orgs:user_list")).status_code == 200


# --- Giving and removing roles -----------------------------------------------------------------


def test_give_a_role(client, people, county):
    client.force_login(people.alice)
    url = reverse("orgs:assignment_create", args=[people.harry.pk])
    response = client.post(url, {"org_code": " B1 ", "role": Role.HELPER})
    assert response.status_code == 302
    assignment = people.harry.assignments.get(organization=county.branch_b1)
    assert assignment.history.get().history_user == people.alice
    # Twice is once.
    client.post(url, {"org_code": "B1", "role": Role.HELPER})
    assert people.harry.assignments.count() == 2


def test_give_a_role_on_an_account_with_roles_elsewhere(client, people, other, county):
    client.force_login(people.alice)
    url = reverse("orgs:assignment_create", args=[other.mixed.pk])
    assert client.post(url, {"org_code": "B", "role": Role.VIEWER}).status_code == 302
    assert other.mixed.assignments.filter(organization=county.town_b).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"org_code": "X1", "role": Role.HELPER},
        {"org_code": "", "role": Role.HELPER},
        {"org_code": "A1", "role": "overlord"},
        {"org_code": "B", "role": Role.SECRETARY},
    ],
)
def test_give_a_role_refuses_bad_input(client, people, other, data):
    client.force_login(people.alice)
    response = client.post(reverse("orgs:assignment_create", args=[people.harry.pk]), data)
    assert response.status_code == 400
    assert response.context["assignment_form"].errors
    assert people.harry.assignments.count() == 1


def test_remove_a_role(client, people, county):
    AssignmentFactory(user=people.dave, organization=county.branch_a2, role=Role.HELPER)
    client.force_login(people.alice)
    extra = people.dave.assignments.get(role=Role.HELPER)
    response = client.post(reverse("orgs:assignment_delete", args=[extra.pk]))
    assert response.url == reverse("orgs:user_detail", args=[people.dave.pk])
    assert not Assignment.objects.filter(pk=extra.pk).exists()
    removal = Assignment.history.filter(id=extra.pk, history_type="-").get()
    assert removal.history_user == people.alice
    history = client.get(response.url).context["history"]
    assert history[0].kind == "unassigned" and history[0].who == people.alice

    # Removing the last role in scope: the user leaves alice's sight.
    last = people.dave.assignments.get()
    response = client.post(reverse("orgs:assignment_delete", args=[last.pk]))
    assert response.url == reverse("orgs:user_list")
    assert client.get(reverse("orgs:user_detail", args=[people.dave.pk])).status_code == 404


def test_cannot_remove_ones_own_role(client, people):
    client.force_login(people.alice)
    own = people.alice.assignments.get()
    response = client.post(reverse("orgs:assignment_delete", args=[own.pk]), follow=True)
    assert response.status_code == 200
    assert Assignment.objects.filter(pk=own.pk).exists()


def test_remove_a_role_outside_scope_but_on_a_visible_user_is_404(client, people, other):
    client.force_login(people.alice)
    outside = other.mixed.assignments.get(organization=other.root)
    assert client.post(reverse("orgs:assignment_delete", args=[outside.pk])).status_code == 404
    assert Assignment.objects.filter(pk=outside.pk).exists()
    assert client.post(reverse("orgs:assignment_delete", args=[99999])).status_code == 404
