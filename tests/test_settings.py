"""Settings come from the environment and production refuses weak ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from partybuild.settings.env import envbool, envint

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 30 + "0123456789abcdefghij"


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "REDIS_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    base.update(DJANGO_SETTINGS_MODULE="partybuild.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_envbool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured):
        envbool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "yes")
    assert envbool("SOME_FLAG", False) is True
    monkeypatch.setenv("SOME_NUMBER", "12a")
    with pytest.raises(ImproperlyConfigured):
        envint("SOME_NUMBER", 1)


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_redis():
    result = run_manage("check", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_passes_the_deploy_checks():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=GOOD_KEY, REDIS_URL="redis://127.0.0.1:6379/0", ALLOWED_HOSTS="dj.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
