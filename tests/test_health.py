"""/healthz: what a load balancer asks, without logging in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthy_without_redis_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_anonymous_may_ask_and_head_works(client, settings):
    settings.REDIS_URL = ""
    assert client.head(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


def test_redis_down_is_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] == "ok"
    assert body["redis"].startswith("error: ")
    # The class of the failure only: nothing about the address or the setup.
    assert "127.0.0.1" not in body["redis"]


def test_database_down_is_503(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error: RuntimeError"


def test_real_redis_is_ok(client, settings, require_redis):
    settings.REDIS_URL = require_redis
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
