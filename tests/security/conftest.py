"""A module-scoped world (tests/security/world.py): built once, rolled back at the end.

Each test still runs in its own savepoint (pytest-django's `db`), so a test that
changes something leaves the world as it was for the next one.
"""

import pytest
from django.db import connection, transaction

from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # pytest-django creates the test database only when a collected test asks for one
    # (the modules say pytestmark = django_db); never build the world elsewhere.
    name = str(connection.settings_dict["NAME"])
    assert "test" in name or "memory" in name, f"not a test database: {name}"
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter):
    """The figures for the closing note: malformed requests sent (summed over workers)."""
    sent = sum(value for rep in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
               for name, value in getattr(rep, "user_properties", []) if name == "malformed_cases")
    if sent:
        terminalreporter.write_line(f"malformed requests sent: {sent}")
