"""Logging in: Chinese by default, and django-axes' lockout per (user name, address).

The test client's `login()` cannot be used here: axes' backend needs the request.
Every login goes through the real login view with an explicit REMOTE_ADDR.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests/factories.py
OFFICE, HOME = "10.20.0.7", "10.99.0.3"


def attempt(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def lock_out(client, username="dave", address=OFFICE):
    responses = [attempt(client, username, "wrong-password", address) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    return responses[-1]


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in content
    assert "登录" in content and "用户名" in content and "密码" in content


def test_language_switch_turns_the_login_page_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302 and response.url == reverse("login")
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in content
    assert "Log in" in content and "登录" not in content
    # And back.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert "登录" in client.get(reverse("login")).content.decode()


def test_a_wrong_password_says_so_in_chinese(client, people):
    response = attempt(client, "dave", "nope", OFFICE)
    assert response.status_code == 200 and not logged_in(client)
    assert "请输入一个正确的" in response.content.decode()


def test_right_password_logs_in(client, people):
    response = attempt(client, "dave", PASSWORD, OFFICE)
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in(client)


def test_five_failures_lock_that_user_from_that_address(client, people):
    response = lock_out(client)
    assert response.status_code == 429
    # Even the right password is refused now, with the lockout page in Chinese.
    response = attempt(client, "dave", PASSWORD, OFFICE)
    assert response.status_code == 429 and not logged_in(client)
    content = response.content.decode()
    assert 'data-testid="locked-out"' in content
    assert "登录失败次数过多" in content
    assert "15 分钟后重试" in content


def test_the_lock_holds_only_for_that_user_and_address(client, people):
    lock_out(client)
    # Another user at the same office address.
    assert attempt(client, "erin", PASSWORD, OFFICE).status_code == 302
    client.logout()
    # The same user from another address.
    assert attempt(client, "dave", PASSWORD, HOME).status_code == 302
    client.logout()
    assert attempt(client, "dave", PASSWORD, OFFICE).status_code == 429


def test_the_lock_lifts_after_the_cool_off(client, people, settings):
    lock_out(client)
    assert attempt(client, "dave", PASSWORD, OFFICE).status_code == 429
    # Move the failures back past the cool-off, as if 16 minutes had passed.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME
                                 - timedelta(minutes=1))
    response = attempt(client, "dave", PASSWORD, OFFICE)
    assert response.status_code == 302 and logged_in(client)


def test_locked_out_page_shows_the_configured_cool_off(client, people, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    response = lock_out(client)
    assert "30 分钟后重试" in response.content.decode()


def test_locked_out_page_without_cool_off(client, people, settings):
    settings.AXES_COOLOFF_TIME = None
    response = lock_out(client)
    content = response.content.decode()
    assert response.status_code == 429
    assert "请联系组织部解锁" in content and "分钟后重试" not in content


def test_a_success_clears_earlier_failures(client, people):
    for _ in range(4):
        attempt(client, "dave", "wrong-password", OFFICE)
    assert attempt(client, "dave", PASSWORD, OFFICE).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "dave", "wrong-password", OFFICE).status_code == 200
    assert attempt(client, "dave", PASSWORD, OFFICE).status_code == 302
