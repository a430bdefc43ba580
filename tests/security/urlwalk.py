"""Every URL pattern of the project, read from the resolver, and how to call one.

`patterns()` walks `get_resolver()` recursively: a URL added anywhere (an app's urls.py,
the admin registering a model) shows up here without anyone listing it. A pattern's key
is its namespaced name ("orgs:detail") or, for the few unnamed ones (the admin's), its
route ("admin/orgs/organization/<path:object_id>/").
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver

# Personas of tests/security/world.py, from no rights to all of them.
ROLES = ("anon", "nobody", "dave", "harry", "victor", "bob", "alice", "root")

# Where each persona's "inside" and "outside" objects live: the first key of the chain
# that holds an object of the kind (branch → committee → county). dave's nearest outsider
# is his sibling branch A2, harry's (helper on A2) is A1, the committees' is town B, the
# county staff's and the superuser's the foreign county D.
INSIDE = {
    "anon": ("A1", "A", "C"), "nobody": ("A1", "A", "C"), "dave": ("A1", "A", "C"),
    "harry": ("A2", "A", "C"), "victor": ("A1", "A", "C"), "bob": ("A1", "A", "C"),
    "alice": ("A1", "A", "C"), "root": ("A1", "A", "C"),
}
OUTSIDE = {
    "anon": ("B1", "B", "D"), "nobody": ("B1", "B", "D"), "dave": ("A2", "B", "D"),
    "harry": ("A1", "B", "D"), "victor": ("B1", "B", "D"), "bob": ("B1", "B", "D"),
    "alice": ("D1", "DA", "D"), "root": ("D1", "DA", "D"),
}
# Kinds that belong to a user rather than an organization: inside is one's own,
# outside erin's (a persona not in ROLES).
PER_USER = {"notification", "export_job"}


@dataclass(frozen=True)
class Pattern:
    key: str
    route: str
    name: str | None
    kwargs: tuple[str, ...]
    regex: str


def _walk(resolver, prefix="", namespace=None, regex=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p, prefix + str(p.pattern), ns, regex + p.pattern.regex.pattern.lstrip("^"))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if (namespace and p.name) else p.name
            route = prefix + str(p.pattern)
            full = regex + p.pattern.regex.pattern.lstrip("^")
            yield Pattern(key=name or route, route=route, name=name,
                          kwargs=tuple(p.pattern.regex.groupindex), regex=full)


def patterns() -> list[Pattern]:
    found = list(_walk(get_resolver()))
    keys = [p.key for p in found]
    assert len(keys) == len(set(keys)), "two URL patterns share a name"
    return found


def fill(route: str, values: dict) -> str:
    """The path for a route with its converters replaced: "a/<int:pk>/" → "/a/7/"."""
    def sub(match):
        return str(values[match.group(2)])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    return "/" + path


def pick(world, kind, role, where):
    """The object of `kind` inside or outside `role`'s scope, or None if the world has none."""
    objs = world.objs[kind]
    if kind in PER_USER:
        return objs["dave" if role == "anon" else role] if where == "in" else objs["erin"]
    chain = INSIDE[role] if where == "in" else OUTSIDE[role]
    for key in chain:
        if key in objs:
            return objs[key]
    return None


def classify(response) -> str:
    """ok (2xx, or 3xx to a page that is not a login), login, admin_login, or the status."""
    status = response.status_code
    if 300 <= status < 400:
        to = response.headers.get("Location", "")
        if to.startswith(resolve_url(settings.LOGIN_URL)):
            return "login"
        if to.startswith("/admin/login/"):
            return "admin_login"
        if to.rstrip("/") == "/admin" or to == "/admin/":
            return "admin_index"
        return "ok"
    if 200 <= status < 300:
        return "ok"
    return str(status)


def project_models():
    """Every model of the project's own apps, their history tables included."""
    base = str(settings.BASE_DIR)
    return [m for m in apps.get_models()
            if m._meta.app_config.path.startswith(base) and "/.venv/" not in m._meta.app_config.path]


def row_counts():
    """{model: rows} for every project model, in one query."""
    models = project_models()
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, counts, strict=True)}
