"""Exports made for the tests: the exports app runs any function marked `@exporter`, and a
worker started from the repository root imports this module by its dotted name."""

import time
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied

from exports.registry import BadExport, exporter
from orgs.scoping import scope_paths
from partybuild.xlsx import Column, Table

COLUMNS = [Column("序号", 8, "0"), Column("名称", 20), Column("日期", 12)]
START = date(2026, 1, 1)


def numbered(n, pause=0.0, fail_at=0):
    for i in range(1, n + 1):
        if i == fail_at:
            raise RuntimeError(f"row {i} could not be read")
        if pause and i % 1000 == 0:
            time.sleep(pause)  # only when a worker test asks: a database read takes as long
        yield (i, f"第{i}行", START + timedelta(days=i % 365))


@exporter
def numbers(user, params):
    """`?n=` rows; refused, as a real export is, to a user with no role at all."""
    if scope_paths(user) == []:
        raise PermissionDenied
    try:
        n = int(params.get("n", ""))
    except ValueError:
        raise BadExport("n must be a number") from None
    pause = float(params.get("pause") or 0)
    fail_at = int(params.get("fail_at") or 0)
    return Table(
        filename="测试导出.xlsx", title="测试导出", scope="测试", columns=COLUMNS,
        rows=numbered(n, pause, fail_at), count=n,
    )


def not_marked(user, params):
    """Importable, but not an export: the registry refuses to run it."""
    raise AssertionError("ran a function that is not an exporter")
