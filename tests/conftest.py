"""Shared fixtures: a small county and named personas for scoping tests.

    县委 (county) ─┬─ A镇党委 (town_a) ─┬─ A1村党支部 (branch_a1)
                   │                   └─ A2村党支部 (branch_a2)
                   └─ B镇党委 (town_b) ─── B1村党支部 (branch_b1)

alice   county staff on the county           bob    committee staff on town A
charlie committee staff on town B (next door) dave  secretary of branch A1
erin    secretary of branch A2 (the sibling)  harry  pairing helper on branch A2
victor  read-only viewer on town A            root   superuser
nobody  logged in, no assignment
"""

import os
import shutil
from types import SimpleNamespace

import pytest
from django.db import connection

from orgs.models import Level, Role

from .factories import AssignmentFactory, OrganizationFactory, UserFactory, category

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str):
    """Skip on a bare machine, fail in CI: CI must run every test."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres(db):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def require_redis(settings):
    url = os.environ.get("REDIS_URL", "")
    ok = False
    if url:
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            ok = True
        except Exception:
            ok = False
    need(ok, "needs Redis (set REDIS_URL)")
    return url


@pytest.fixture
def require_chromium():
    need(shutil.which("chromium") is not None, "needs Debian's chromium (apt-get install chromium)")


@pytest.fixture
def county(db):
    c = OrganizationFactory(code="C", name="青禾县委", level=Level.COUNTY, category=None)
    town_a = OrganizationFactory(
        parent=c, code="A", name="东坝镇党委", level=Level.COMMITTEE, category=None
    )
    town_b = OrganizationFactory(
        parent=c, code="B", name="西湖乡党委", level=Level.COMMITTEE, category=None
    )
    branch_a1 = OrganizationFactory(parent=town_a, code="A1", name="东坝村党支部")
    branch_a2 = OrganizationFactory(parent=town_a, code="A2", name="柳树村党支部")
    branch_b1 = OrganizationFactory(
        parent=town_b, code="B1", name="西湖社区党支部", category=category("community")
    )
    for org in (c, town_a, town_b, branch_a1, branch_a2, branch_b1):
        org.refresh_from_db()
    return SimpleNamespace(
        county=c, town_a=town_a, town_b=town_b,
        branch_a1=branch_a1, branch_a2=branch_a2, branch_b1=branch_b1,
    )


def _persona(username, full_name, org=None, role=None, **extra):
    user = UserFactory(username=username, full_name=full_name, **extra)
    if org is not None:
        AssignmentFactory(user=user, organization=org, role=role)
    return user


@pytest.fixture
def people(county):
    return SimpleNamespace(
        alice=_persona("alice", "县委组织部 王敏", county.county, Role.COUNTY_STAFF),
        bob=_persona("bob", "东坝镇 李强", county.town_a, Role.COMMITTEE_STAFF),
        charlie=_persona("charlie", "西湖乡 赵刚", county.town_b, Role.COMMITTEE_STAFF),
        dave=_persona("dave", "东坝村 陈书记", county.branch_a1, Role.SECRETARY),
        erin=_persona("erin", "柳树村 刘书记", county.branch_a2, Role.SECRETARY),
        harry=_persona("harry", "帮扶干部 孙海", county.branch_a2, Role.HELPER),
        victor=_persona("victor", "督查组 周丽", county.town_a, Role.VIEWER),
        root=_persona("root", "超级管理员", is_superuser=True, is_staff=True),
        nobody=_persona("nobody", "无角色用户"),
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
