"""docker-compose.yml cannot be run here (no Docker engine); at least keep it valid and matching."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_the_documented_topology():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert "worker" in services["worker"]["command"]
    assert services["beat"]["deploy"]["replicas"] == 1  # never two beats
    assert "uploads" in compose["volumes"]
    for name in ("web", "worker"):
        assert "uploads:/var/lib/partybuild/media" in services[name]["volumes"]
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "partybuild.settings.production"
        assert env["REDIS_URL"].startswith("redis://redis")
        assert env["DATABASE_URL"].startswith("postgres://")


def test_ci_script_runs_make_test_on_postgres():
    script = (ROOT / ".ci" / "run").read_text()
    assert "DATABASE_URL=\"postgres://" in script and "REDIS_URL=" in script
    assert script.strip().endswith("make test")


# What .env would hold: long and varied enough for Django's own key check.
STAND_IN_KEY = "compose-stand-in-7Gq2Lm9Xw4Rt8Vz1Kp5Nd3Hs6Jb0Yc-e8Tf3Ua"


def _compose_environment():
    """The app's environment as docker-compose.yml sets it: ${VAR:-default} gives the
    default, ${VAR:?message} (SECRET_KEY, which .env supplies) a stand-in of the right length."""
    import re

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = {}
    for name, value in compose["services"]["web"]["environment"].items():
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        env[name] = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", STAND_IN_KEY, value)
    return env


def test_check_deploy_is_clean_under_the_compose_settings():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(_compose_environment())
    assert env["DJANGO_SETTINGS_MODULE"] == "partybuild.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_sets_the_hardening_flags():
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, **_compose_environment()}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
             "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
             "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SESSION_COOKIE_AGE", "DEBUG",
             "LANGUAGE_COOKIE_SECURE", "MIDDLEWARE"]
    code = ("import json; from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["LANGUAGE_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 30 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SESSION_COOKIE_AGE"] <= 12 * 60 * 60
    assert "partybuild.middleware.ContentSecurityPolicyMiddleware" in values["MIDDLEWARE"]
