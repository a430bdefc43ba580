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
