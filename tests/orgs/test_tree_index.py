"""On PostgreSQL a subtree is one index range scan on the path, whatever the collation."""

import pytest
from django.db import connection

from orgs.models import Organization

from ..factories import add_many_branches

pytestmark = pytest.mark.django_db


def test_path_has_a_pattern_ops_index(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'orgs_organization' "
            "AND indexdef LIKE '%%(path varchar_pattern_ops)%%'"
        )
        assert cursor.fetchall(), "no varchar_pattern_ops index on orgs_organization.path"


def test_subtree_query_plan_uses_the_index(require_postgres, county):
    add_many_branches(county.town_a, 3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orgs_organization")
    qs = Organization.objects.filter(path__startswith=county.town_b.path)
    plan = qs.explain()
    assert "Index" in plan and "orgs_organization_path" in plan, plan
    assert "Seq Scan" not in plan, plan
