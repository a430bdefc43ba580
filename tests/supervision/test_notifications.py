"""提醒 pages: the user's own notifications only — listing, filtering, marking read,
opening (no open redirect) — and the header badge."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from supervision.models import Notification, NotificationKind
from supervision.views.notifications import is_local_path

from .conftest import DAY

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def note(user, n=1, *, kind=NotificationKind.TASK_OVERDUE, url="/rectification/tasks/1/", read=False,
         minutes_ago=0, title=None):
    made = Notification.objects.create(
        user=user, kind=kind, key=f"{kind}:{n}", sent_on=DAY, title=title or f"提醒{n}",
        body=f"正文{n}", url=url, read_at=timezone.now() if read else None,
    )
    if minutes_ago:
        Notification.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return made


@pytest.fixture
def notes(people):
    """bob: an old read one, an overdue and a newer dispatch reminder; dave: one of his own."""
    return {
        "old": note(people.bob, 1, read=True, minutes_ago=300, title="旧提醒"),
        "overdue": note(people.bob, 2, minutes_ago=60),
        "dispatch": note(people.bob, 3, kind=NotificationKind.DISPATCH_DUE, url="/supervision/dispatches/"),
        "daves": note(people.dave, 4),
    }


def pks(response):
    return [n.pk for n in response.context["notifications"]]


def unread(*notes):
    return [Notification.objects.get(pk=n.pk).read_at is None for n in notes]


# ---------------------------------------------------------------- the list


def test_list_shows_own_notifications_newest_first(client_for, people, notes):
    response = client_for(people.bob).get(url("notification_list"))
    assert response.status_code == 200
    assert pks(response) == [notes["dispatch"].pk, notes["overdue"].pk, notes["old"].pk]
    assert response.context["unread"] == 2
    html = response.content.decode()
    assert notes["daves"].title not in html
    assert url("notification_open", notes["overdue"].pk) in html
    assert html.count('data-unread="1"') == 2  # the unread ones are highlighted
    assert "正文2" in html and "旧提醒" in html


def test_list_filters_unread_and_kind(client_for, people, notes):
    client = client_for(people.bob)
    response = client.get(url("notification_list"), {"show": "unread"})
    assert pks(response) == [notes["dispatch"].pk, notes["overdue"].pk]
    response = client.get(url("notification_list"), {"kind": NotificationKind.DISPATCH_DUE})
    assert pks(response) == [notes["dispatch"].pk]
    response = client.get(url("notification_list"), {"show": "unread", "kind": NotificationKind.TASK_OVERDUE})
    assert pks(response) == [notes["overdue"].pk]


@pytest.mark.parametrize("params", [
    {"show": "everything"}, {"kind": "nonsense"}, {"page": "abc"}, {"page": "-1"}, {"page": "99999"},
    {"show": ["unread", "x"], "kind": "\x00"},
])
def test_list_garbage_params_are_ignored(client_for, people, notes, params):
    response = client_for(people.bob).get(url("notification_list"), params)
    assert response.status_code == 200
    assert len(pks(response)) >= 1


def test_garbage_filter_says_so_and_keeps_the_valid_one(client_for, people, notes):
    response = client_for(people.bob).get(url("notification_list"), {"show": "unread", "kind": "nope"})
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert pks(response) == [notes["dispatch"].pk, notes["overdue"].pk]


def test_list_paginates(client_for, people):
    Notification.objects.bulk_create(
        Notification(user=people.bob, kind=NotificationKind.TASK_DUE, key=f"k{i}", sent_on=DAY,
                     title=f"t{i}") for i in range(45)
    )
    client = client_for(people.bob)
    first = client.get(url("notification_list"))
    assert len(pks(first)) == 30 and first.context["page_obj"].paginator.num_pages == 2
    second = client.get(url("notification_list"), {"page": 2})
    assert len(pks(second)) == 15 and not set(pks(first)) & set(pks(second))


def test_a_user_with_no_role_has_an_empty_list(client_for, people, notes):
    response = client_for(people.nobody).get(url("notification_list"))
    assert response.status_code == 200
    assert pks(response) == [] and response.context["unread"] == 0
    assert 'data-testid="empty"' in response.content.decode()


def test_anonymous_goes_to_login(client, notes):
    for name, args in [("notification_list", ()), ("notification_open", (notes["overdue"].pk,))]:
        response = client.get(url(name, *args))
        assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(url("notification_mark_read"))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert unread(notes["overdue"]) == [True]


def test_list_is_get_only(client_for, people, notes):
    assert client_for(people.bob).post(url("notification_list")).status_code == 405


# ---------------------------------------------------------------- marking read


def test_mark_all_read_marks_only_own(client_for, people, notes):
    response = client_for(people.bob).post(url("notification_mark_read"))
    assert response.status_code == 302 and response["Location"] == url("notification_list")
    assert unread(notes["overdue"], notes["dispatch"], notes["daves"]) == [False, False, True]
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_mark_one_read(client_for, people, notes):
    back = url("notification_list") + "?show=unread&page=1"
    response = client_for(people.bob).post(url("notification_mark_read"),
                                           {"ids": [notes["overdue"].pk], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert unread(notes["overdue"], notes["dispatch"]) == [False, True]


def test_marking_anothers_notification_changes_nothing(client_for, people, notes):
    response = client_for(people.bob).post(url("notification_mark_read"), {"ids": [notes["daves"].pk]})
    assert response.status_code == 302
    assert unread(notes["daves"], notes["overdue"], notes["dispatch"]) == [True, True, True]


@pytest.mark.parametrize("ids", [["abc"], ["1", "x"], ["-3"], ["0"], ["1.5"], ["9" * 30], ["١٢"],
                                 [str(i) for i in range(1, 600)]])
def test_garbage_ids_are_refused(client_for, people, notes, ids):
    response = client_for(people.bob).post(url("notification_mark_read"), {"ids": ids})
    assert response.status_code == 400
    assert unread(notes["overdue"], notes["dispatch"]) == [True, True]


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/admin/", "/\\evil.example"])
def test_mark_read_goes_back_only_to_the_list(client_for, people, notes, back):
    response = client_for(people.bob).post(url("notification_mark_read"), {"next": back})
    assert response["Location"] == url("notification_list")


def test_mark_read_is_post_only(client_for, people, notes):
    assert client_for(people.bob).get(url("notification_mark_read")).status_code == 405
    assert unread(notes["overdue"]) == [True]


# ---------------------------------------------------------------- opening one


def test_open_marks_read_and_follows_its_link(client_for, people, notes):
    response = client_for(people.bob).get(url("notification_open", notes["dispatch"].pk))
    assert response.status_code == 302 and response["Location"] == "/supervision/dispatches/"
    assert unread(notes["dispatch"], notes["overdue"]) == [False, True]


def test_opening_a_read_one_keeps_its_read_time(client_for, people, notes):
    before = Notification.objects.get(pk=notes["old"].pk).read_at
    client_for(people.bob).get(url("notification_open", notes["old"].pk))
    assert Notification.objects.get(pk=notes["old"].pk).read_at == before


def test_opening_anothers_notification_is_404(client_for, people, notes):
    response = client_for(people.bob).get(url("notification_open", notes["daves"].pk))
    assert response.status_code == 404
    assert unread(notes["daves"]) == [True]
    assert client_for(people.bob).get(url("notification_open", 10**12)).status_code == 404
    assert client_for(people.bob).get("/supervision/notifications/abc/open/").status_code == 404


def test_open_is_get_only(client_for, people, notes):
    assert client_for(people.bob).post(url("notification_open", notes["overdue"].pk)).status_code == 405


@pytest.mark.parametrize("link", ["//evil.example", "https://evil", "http://evil.example/x", "/\\evil.example",
                                  "javascript:alert(1)", "evil.example", "", " /x", "/\t/evil.example"])
def test_open_never_leaves_the_site(client_for, people, link):
    n = note(people.bob, 9, url=link)
    response = client_for(people.bob).get(url("notification_open", n.pk))
    assert response.status_code == 302 and response["Location"] == url("notification_list")
    assert unread(n) == [False]


@pytest.mark.parametrize("link, local", [
    ("/rectification/tasks/3/", True), ("/supervision/dispatches/?month=2026-10", True),
    ("//evil.example", False), ("https://evil", False), ("/\\evil", False), ("", False),
])
def test_is_local_path(link, local):
    assert is_local_path(link) is local


# ---------------------------------------------------------------- the header badge


def test_badge_counts_own_unread(client_for, people, notes):
    response = client_for(people.bob).get(url("notification_badge"))
    assert response.status_code == 200
    assert 'data-testid="unread-count">2<' in response.content.decode()
    response = client_for(people.dave).get(url("notification_badge"))
    assert 'data-testid="unread-count">1<' in response.content.decode()


def test_badge_is_empty_with_nothing_unread(client_for, people, notes):
    response = client_for(people.nobody).get(url("notification_badge"))
    assert response.status_code == 200 and response.content == b""


def test_badge_caps_at_99(client_for, people):
    Notification.objects.bulk_create(
        Notification(user=people.erin, kind=NotificationKind.TASK_DUE, key=f"k{i}", sent_on=DAY,
                     title=f"t{i}") for i in range(120)
    )
    assert ">99+<" in client_for(people.erin).get(url("notification_badge")).content.decode()


def test_badge_needs_login(client, notes):
    response = client.get(url("notification_badge"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_header_has_the_bell(client_for, people, notes):
    html = client_for(people.bob).get(url("notification_list")).content.decode()
    assert url("notification_badge") in html


# ---------------------------------------------------------------- query counts


@pytest.mark.parametrize("many", [5, 200])
def test_list_queries(client_for, people, many, django_assert_max_num_queries):
    Notification.objects.bulk_create(
        Notification(user=people.bob, kind=NotificationKind.TASK_DUE, key=f"k{i}", sent_on=DAY,
                     title=f"t{i}", read_at=timezone.now() if i % 2 else None) for i in range(many)
    )
    client = client_for(people.bob)
    # 1-3 session, user, grants (the header); 4 the count of the pages; 5 the page of
    # notifications; 6 the unread count.
    with django_assert_max_num_queries(6):
        response = client.get(url("notification_list"), {"kind": NotificationKind.TASK_DUE})
    assert response.status_code == 200
    assert len(pks(response)) == min(many, 30)
