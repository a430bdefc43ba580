"""The permission matrix: every URL pattern × every persona × an object inside and one
outside the persona's scope, against an expected answer.

The patterns come from the URL resolver (tests/security/urlwalk.py), so a URL added
anywhere is walked; `test_every_pattern_has_an_entry` fails, naming it, until it has a
line in EXPECT below (or, for the admin, matches a rule of `admin_expectation`).

Answers, one letter per persona in the order of ROLES
(anon, nobody, dave, harry, victor, bob, alice, root):

    Y allowed (2xx, or 3xx to a page that is not a login)   L redirect to the login page
    3 403    4 404    5 405 (wrong method)    B 400 (the request lacks what it needs)

`E(get_in, get_out, post=..., post_out=...)`: what a GET answers for the object inside the
persona's scope and for the one outside (tests/security/urlwalk.py, INSIDE / OUTSIDE: dave's
outsider is his sibling branch A2, harry's is A1, the committees' town B, the county's and
the superuser's a foreign county), and what an empty POST answers (default: 405 to all but
the anonymous, who go to the login page). A pattern without keywords has only get_in. A
POST whose expected answer is a refusal (L, 3, 4, 5) must change nothing: the rows of every
project model (history tables included, so an update of an audited row shows) and the
objects named in the URL are compared before and after. No allowed page read by anyone but
the superuser may contain the foreign county's name (FOREIGN), exports included (read
back with openpyxl).

The admin's ~260 patterns follow rules (`admin_expectation`, `test_admin`): non-staff go
to the admin's login, the superuser reaches everything, staff (alice, bob) never reach an
object outside their scope and never read the foreign county in a changelist. A custom
admin view fits no rule and needs its own line in EXPECT.

To add a URL: if it takes an object, name the world object for it in
tests/security/kinds.py (and add the object to tests/security/world.py if it is a new
kind); then add a line to EXPECT with the answers you intend, run this module and read
the failures. Answers that depend on an object's state (review of a draft: 403) say so in
a comment.

World: tests/security/world.py, built once per module; each case runs in its own savepoint.
"""

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import Client
from openpyxl import load_workbook

from .kinds import KIND_OF, kwarg_values
from .urlwalk import ROLES, classify, fill, patterns, pick, row_counts
from .world import FOREIGN

pytestmark = pytest.mark.django_db

LETTER = {"Y": "ok", "L": "login", "3": "403", "4": "404", "5": "405", "B": "400"}
REFUSED = {"login", "403", "404", "405", "admin_login"}


@dataclass(frozen=True)
class E:
    get_in: str
    get_out: str | None = None
    post: str = "L5555555"
    post_out: str | None = None
    query: str = ""  # a query string; "{kind}" is replaced by that kind's object's pk

    def __post_init__(self):
        for codes in (self.get_in, self.get_out, self.post, self.post_out):
            assert codes is None or (len(codes) == len(ROLES) and set(codes) <= set(LETTER)), codes


GET_ONLY = "L5555555"

EXPECT = {
    "home": E("LYYYYYYY", post="LYYYYYYY"),
    "healthz": E("YYYYYYYY", post="55555555"),
    "login": E("YYYYYYYY", post="YYYYYYYY"),
    "logout": E("55555555", post="LLLLLLLL"),
    "set_language": E("YYYYYYYY", post="YYYYYYYY"),
    "orgs:list": E("LYYYYYYY"),
    "orgs:tree": E("LYYYYYYY"),
    "orgs:tree_children": E("L4YYYYYY", "L444444Y"),
    "orgs:detail": E("L4YYYYYY", "L444444Y"),
    "orgs:create": E("L4333YYY", "L444444Y", post="L4333YYY", post_out="L444444Y"),
    "orgs:edit": E("L4Y33YYY", "L444444Y", post="L4Y33YYY", post_out="L444444Y"),
    "orgs:move": E("L4333YYY", "L444444Y", post="L4333YYY", post_out="L444444Y"),
    "orgs:set_active": E("L5555555", "L5555555", post="L4333BBB", post_out="L444444B"),
    "orgs:export": E("LYYYYYYY"),
    "orgs:import": E("L3333YYY", post="L3333YYY"),
    "orgs:user_list": E("L33333YY", post="L33333YY"),
    "orgs:user_create": E("L33333YY", post="L33333YY"),
    "orgs:user_detail": E("L33333YY", "L333334Y", post="L33333BB", post_out="L333334B"),
    "orgs:user_password": E("L33333YY", "L333334Y", post="L33333YY", post_out="L333334Y"),
    "orgs:assignment_create": E("L5555555", "L5555555", post="L33333BB", post_out="L333334B"),
    "orgs:assignment_delete": E("L5555555", "L5555555", post="L33333YY", post_out="L333334Y"),
    "standards:set_list": E("L333YYYY"),
    "standards:set_create": E("L33333YY", post="L33333YY"),
    "standards:set_detail": E("L433YYYY", "L444444Y"),
    "standards:set_edit": E("L43333YY", "L444444Y", post="L43333YY", post_out="L444444Y"),
    "standards:set_publish": E("L5555555", "L5555555", post="L43333YY", post_out="L444444Y"),
    "standards:set_new_version": E("L5555555", "L5555555", post="L43333YY", post_out="L444444Y"),
    "standards:set_retire": E("L5555555", "L5555555", post="L43333YY", post_out="L444444Y"),
    "standards:set_delete": E("L5555555", "L5555555", post="L43333YY", post_out="L444444Y"),
    "standards:checklist": E("L4YYYYYY", "L444444Y"),
    "standards:item_create": E("L43333YY", "L444444Y", post="L43333YY", post_out="L444444Y"),
    "standards:dimension_create": E("L43333YY", "L444444Y", post="L43333YY", post_out="L444444Y"),
    "standards:dimension_edit": E("L43333YY", "L444444Y", post="L43333YY", post_out="L444444Y"),
    "standards:item_search": E("L333YYYY"),
    "standards:item_edit": E("L43333YY", "L444444Y", post="L43333YY", post_out="L444444Y"),
    "standards:item_delete": E("L5555555", "L5555555", post="L43333YY", post_out="L444444Y"),
    "standards:compare": E("L433YYYY", "L444444Y", query="b={standard_set}"),
    "standards:my_checklist": E("LYYYYYYY"),
    "standards:set_export": E("L433YYYY", "L444444Y"),
    "standards:set_import": E("L33333YY", post="L33333BB"),
    "assessments:campaign_list": E("L3Y3YYYY"),
    "assessments:campaign_create": E("L33333YY", post="L33333BB"),
    "assessments:campaign_detail": E("L433YYYY", "L444444Y"),
    "assessments:campaign_edit": E("L43333YY", "L444444Y", post="L43333BB", post_out="L444444B"),
    "assessments:campaign_launch": E("L5555555", "L5555555", post="L43333YY", post_out="L444444Y"),
    "assessments:launch_progress": E("L433YYYY", "L444444Y"),
    "assessments:campaign_assessments": E("L433YYYY", "L444444Y"),
    "assessments:campaign_export": E("L433YYYY", "L444444Y"),
    "assessments:my_tasks": E("LYYYYYYY"),
    "assessments:fill": E("L4YYYYYY", "L444444Y", post="L4Y3333Y", post_out="L444444Y"),
    "assessments:submit": E("L5555555", "L5555555", post="L4B3333B", post_out="L444444B"),
    "assessments:evidence_upload": E("L5555555", "L5555555", post="L4B3333B", post_out="L444444B"),
    "assessments:evidence_download": E("L4YYYYYY", "L444444Y"),
    "assessments:evidence_delete": E("L5555555", "L5555555", post="L4Y3333Y", post_out="L444444Y"),
    "assessments:review_queue": E("L3333YYY"),
    "assessments:assessment_detail": E("L4YYYYYY", "L444444Y"),
    "assessments:review": E("L4333333", "L4444443", post="L4333333", post_out="L4444443"),
    "assessments:approve": E("L5555555", "L5555555", post="L4333333", post_out="L4444443"),
    "assessments:return": E("L5555555", "L5555555", post="L4333333", post_out="L4444443"),
    "assessments:accept": E("L5555555", "L5555555", post="L4333333", post_out="L4444443"),
    "assessments:assessment_export": E("L4YYYYYY", "L444444Y"),
    "assessments:star_revoke": E("L43333YY", "L444444Y", post="L43333BB", post_out="L444444B"),
    "assessments:spot_check_create": E("L43333YY", "L444444Y", post="L43333BB", post_out="L444444B"),
    "assessments:spot_check_detail": E("L444YYYY", "L444444Y", post="L44433BB", post_out="L444444B"),
    "assessments:sample_detail": E("L444YYYY", "L444444Y", post="L44433BB", post_out="L444444B"),
    "rectification:problem_list": E("L3YYYYYY"),
    "rectification:problem_export": E("L3YYYYYY"),
    "rectification:task_list": E("L3YYYYYY"),
    "rectification:responsibility_list": E("L3YYYYYY"),
    "rectification:status_list": E("L3YYYYYY"),
    "rectification:task_export": E("L3YYYYYY"),
    "rectification:problem_create": E("L3333YYY", post="L3333BBB"),
    "rectification:problem_detail": E("L4YYYYYY", "L444444Y"),
    "rectification:task_create": E("L5555555", "L5555555", post="L4333BBB", post_out="L444444B"),
    "rectification:generate_problems": E("L5555555", "L5555555", post="L4333BBB", post_out="L444444B"),
    "rectification:task_detail": E("L4YYYYYY", "L444444Y"),
    "rectification:task_edit": E("L4333YYY", "L444444Y", post="L4333BBB", post_out="L444444B"),
    "rectification:task_report": E("L5555555", "L5555555", post="L4B33BBB", post_out="L444444B"),
    "rectification:task_request_close": E("L5555555", "L5555555", post="L4Y33YYY", post_out="L444444Y"),
    "rectification:task_check": E("L5555555", "L5555555", post="L4333BBB", post_out="L444444B"),
    "rectification:update_file": E("L4YYYYYY", "L444444Y"),
    "rectification:wall_chart": E("LYYYYYYY"),
    "rectification:wall_chart_export": E("LYYYYYYY"),
    "rectification:pairing_list": E("LYYYYYYY"),
    "rectification:pairing_export": E("LYYYYYYY"),
    "rectification:pairing_create": E("L33333YY", post="L33333BB"),
    "rectification:pairing_detail": E("L4YYYYYY", "L444444Y"),
    "rectification:pairing_edit": E("L43333YY", "L444444Y", post="L43333BB", post_out="L444444B"),
    "rectification:visit_create": E("L43Y33YY", "L444444Y", post="L43B33BB", post_out="L444444B"),
    "rectification:milestone_create": E("L43333YY", "L444444Y", post="L43333BB", post_out="L444444B"),
    "rectification:milestone_done": E("L5555555", "L5555555", post="L43Y33YY", post_out="L444444Y"),
    "funding:ledger": E("L3YYYYYY"),
    "funding:ledger_export": E("L3YYYYYY"),
    "funding:generate": E("L3333YYY", post="L3333YYY"),
    "funding:compliance": E("L3YYYYYY"),
    "funding:compliance_export": E("L3YYYYYY"),
    "funding:org_funding": E("L4YYYYYY", "L444444Y"),
    "funding:org_funding_export": E("L4YYYYYY", "L444444Y"),
    "funding:allocation_create": E("L4333YYY", "L444444Y", post="L4333BBB", post_out="L444444B"),
    "funding:allocation_detail": E("L4YYYYYY", "L444444Y"),
    "funding:allocation_edit": E("L4333YYY", "L444444Y", post="L4333BBB", post_out="L444444B"),
    "funding:disbursement_create": E("L4333YYY", "L444444Y", post="L4333BBB", post_out="L444444B"),
    "funding:disbursement_delete": E("L5555555", "L5555555", post="L4333YYY", post_out="L444444Y"),
    "funding:disbursement_list": E("L3YYYYYY"),
    "funding:disbursement_export": E("L3YYYYYY"),
    "funding:disbursement_import": E("L3333YYY", post="L3333YYY"),
    "funding:import_template": E("L3333YYY"),
    "funding:policy_list": E("L3YYYYYY"),
    "funding:policy_export": E("L3YYYYYY"),
    "funding:policy_create": E("L33333YY", post="L33333YY"),
    "funding:policy_load": E("L5555555", post="L33333YY"),
    "funding:policy_detail": E("L3YYYYYY", "L344444Y"),
    "funding:policy_edit": E("L33333YY", "L344444Y", post="L33333YY", post_out="L344444Y"),
    "supervision:dispatch_board": E("L333YYYY"),
    "supervision:dispatch_board_export": E("L333YYYY"),
    "supervision:dispatch_detail": E("L444YYYY", "L444444Y"),
    "supervision:dispatch_notes": E("L5555555", "L5555555", post="L4443YYY", post_out="L444444Y"),
    "supervision:dispatch_submit": E("L5555555", "L5555555", post="L4443BBB", post_out="L444444B"),
    "supervision:dispatch_recompile": E("L5555555", "L5555555", post="L4443YYY", post_out="L444444Y"),
    "supervision:dispatch_reopen": E("L5555555", "L5555555", post="L44433BB", post_out="L444444B"),
    "supervision:dispatch_export": E("L444YYYY", "L444444Y"),
    "supervision:inspection_list": E("L333YYYY"),
    "supervision:inspection_detail": E("L444YYYY", "L444444Y"),
    "supervision:inspection_inspectors": E("L5555555", "L5555555", post="L44433YY", post_out="L444444Y"),
    "supervision:inspection_finish": E("L5555555", "L5555555", post="L44433YY", post_out="L444444Y"),
    "supervision:sample_visit": E("L5555555", "L5555555", post="L44433BB", post_out="L444444B"),
    "supervision:finding_create": E("L44433YY", "L444444Y", post="L44433BB", post_out="L444444B"),
    "supervision:bulletin": E("L333YYYY"),
    "supervision:bulletin_export": E("L333YYYY"),
    "supervision:notification_list": E("LYYYYYYY"),
    "supervision:notification_badge": E("LYYYYYYY"),
    "supervision:notification_mark_read": E("L5555555", post="LYYYYYYY"),
    "supervision:notification_open": E("LYYYYYYY", "L4444444"),
    "supervision:job_status": E("L33333YY"),
    "supervision:job_run": E("L5555555", "L5555555", post="L33333YY", post_out="L33333YY"),
    "meetings:meeting_list": E("L3YYYYYY"),
    "meetings:meeting_export": E("L3YYYYYY"),
    "meetings:meeting_create": E("L3Y33YYY", post="L3B33BBB"),
    "meetings:meeting_detail": E("L4YYYYYY", "L444444Y"),
    "meetings:meeting_edit": E("L4Y33YYY", "L444444Y", post="L4B33BBB", post_out="L444444B"),
    "meetings:meeting_delete": E("L4Y33YYY", "L444444Y", post="L4B33BBB", post_out="L444444B"),
    "meetings:attachment_add": E("L5555555", "L5555555", post="L4B33BBB", post_out="L444444B"),
    "meetings:attachment_download": E("L4YYYYYY", "L444444Y"),
    "meetings:attachment_delete": E("L5555555", "L5555555", post="L4Y33YYY", post_out="L444444Y"),
    "meetings:org_log": E("L4YYYYYY", "L444444Y"),
    "meetings:compliance": E("L3YYYYYY"),
    "meetings:compliance_export": E("L3YYYYYY"),
    "meetings:who_met": E("L3YYYYYY"),
    "meetings:meeting_import": E("L3Y33YYY", post="L3Y33YYY"),
    "meetings:import_template": E("L3Y33YYY"),
    "meetings:binding_list": E("L33333YY", post="L33333BB"),
    "meetings:binding_delete": E("L5555555", "L5555555", post="L33333YY", post_out="L333334Y"),
    "exports:job_list": E("LYYYYYYY"),
    "exports:job_detail": E("LYYYYYYY", "L4444444"),
    "exports:job_progress": E("LYYYYYYY", "L4444444"),
    "exports:job_download": E("LYYYYYYY", "L4444444"),
    "reports:dashboard": E("L333YYYY"),
    "reports:dashboard_print": E("L333YYYY"),
    # The audit trail (issue 11's hardening): county staff only.
    "audit:log": E("L33333YY"),
    "audit:export": E("L33333YY"),
    "reports:dashboard_export": E("L333YYYY", query="table=progress"),
}


# ---------------------------------------------------------------- the admin, by rule

NON_STAFF = ("anon", "nobody", "dave", "harry", "victor")
ADMIN_OBJECT_ACTIONS = ("change", "delete", "history", "simple_history", "password_change")


def admin_model(pattern):
    """The ModelAdmin a pattern belongs to, or None for the site's own views."""
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if pattern.route.startswith(prefix):
            return model, model_admin
    return None, None


def admin_expectation(pattern):
    """What the admin answers, by rule; None when the pattern fits no rule (then the
    coverage test fails: a custom admin view needs its own line in EXPECT)."""
    model, _model_admin = admin_model(pattern)
    if model is not None:
        action = (pattern.name or "").rsplit(f"{model._meta.model_name}_", 1)[-1]
        if pattern.name is None and pattern.kwargs == ("object_id",):
            action = "redirect"  # <object_id>/ → <object_id>/change/
        if action not in ("changelist", "add", "redirect", *ADMIN_OBJECT_ACTIONS):
            return None
        return action
    site_views = {"admin:index", "admin:app_list", "admin:autocomplete", "admin:jsi18n",
                  "admin:password_change", "admin:password_change_done", "admin:view_on_site",
                  "admin:login", "admin:logout"}
    if pattern.key in site_views or pattern.route == "admin/(?P<url>.*)$":
        return pattern.key
    return None


# ---------------------------------------------------------------- the cases

PATTERNS = {p.key: p for p in patterns()}


def _wheres(pattern, entry):
    return ("in", "out") if (pattern.kwargs or entry.get_out) else ("in",)


def _cases(method):
    for key, pattern in PATTERNS.items():
        entry = EXPECT.get(key)
        if entry is None or pattern.route.startswith("admin/"):
            continue
        if method == "post" and entry.post == GET_ONLY and entry.post_out in (None, GET_ONLY):
            continue  # a GET-only view: its GET cases already say 405 is not what it answers
        for where in _wheres(pattern, entry):
            for role in ROLES:
                yield pytest.param(key, role, where, id=f"{key}|{role}|{where}")


def _admin_cases():
    for key, pattern in PATTERNS.items():
        if pattern.route.startswith("admin/") and key not in EXPECT and admin_expectation(pattern):
            has_object = {"object_id", "id"} & set(pattern.kwargs)
            for where in (("in", "out") if has_object else ("in",)):
                for role in ROLES:
                    yield pytest.param(key, role, where, id=f"{key}|{role}|{where}")


GET_CASES = list(_cases("get"))
POST_CASES = list(_cases("post"))
ADMIN_CASES = list(_admin_cases())


def _expected(entry, method, role, where):
    if method == "get":
        codes = entry.get_in if where == "in" else (entry.get_out or entry.get_in)
    else:
        codes = entry.post if where == "in" else (entry.post_out or entry.post)
    return LETTER[codes[ROLES.index(role)]]


def _client(world, role):
    client = Client()
    if role != "anon":
        client.force_login(getattr(world.people, role))
    return client


def _url(world, pattern, entry, role, where):
    values = kwarg_values(world, pattern, role, where)
    assert values is not None, f"tests/security/world.py has no object for {pattern.key}"
    url = fill(pattern.route, values)
    if entry.query:
        kinds = {name for name in KIND_NAMES if "{" + name + "}" in entry.query}
        url += "?" + entry.query.format(**{k: pick(world, k, role, where).pk for k in kinds})
    return url


KIND_NAMES = ("standard_set", "campaign", "org")


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        # Exhausting it closes it (the test client's wrapper, which keeps the database
        # connection open: closing it again here would end the test's transaction on PostgreSQL).
        return b"".join(response.streaming_content)
    return response.content


def _text(response) -> str:
    """What a reader sees: a page's text, or every cell of a workbook."""
    data = _body(response)
    if data.startswith(b"PK") and "spreadsheet" in response.get("Content-Type", ""):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True)
        except (zipfile.BadZipFile, KeyError, OSError):
            return ""
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    return data.decode("utf-8", errors="replace")


def _assert_no_leak(response, role, key):
    if role == "root" or response.status_code != 200:
        return
    assert FOREIGN not in _text(response), f"{key}: {role} reads the foreign county"


def _snapshot(world, pattern, role, where):
    """Row counts, and the object the URL names as it is in the database."""
    kind = KIND_OF.get(pattern.key)
    obj = pick(world, kind, role, where) if kind else None
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first() if obj is not None else None
    return row_counts(), model_to_dict(fresh) if fresh else None


# ---------------------------------------------------------------- the tests

def test_every_pattern_has_an_entry():
    """A URL without an expectation fails here, by name; so does an entry without a URL."""
    missing = [p.key for p in PATTERNS.values()
               if p.key not in EXPECT and not (p.route.startswith("admin/") and admin_expectation(p))]
    assert not missing, f"URL patterns with no entry in the permission matrix: {missing}"
    stale = sorted(set(EXPECT) - set(PATTERNS))
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"
    no_kind = [p.key for p in PATTERNS.values()
               if p.key in EXPECT and any(
                   kw not in ("job",) for kw in p.kwargs) and p.key not in KIND_OF]
    assert not no_kind, f"URL keywords with no object in tests/security/kinds.py: {no_kind}"


def test_case_counts():
    """The size of the matrix, for the closing note (printed with -s / -rA)."""
    print(f"permission matrix: {len(PATTERNS)} patterns; URL x role cases: GET {len(GET_CASES)}, "
          f"POST {len(POST_CASES)}, admin {len(ADMIN_CASES)}, "
          f"total {len(GET_CASES) + len(POST_CASES) + len(ADMIN_CASES)}")
    assert len(GET_CASES) > 1000


def test_anonymous_reaches_only_the_public_pages():
    public = {key for key, entry in EXPECT.items()
              if "Y" in (entry.get_in[0], (entry.get_out or "L")[0], entry.post[0])}
    assert public == {"login", "healthz", "set_language"}


@pytest.mark.parametrize(("key", "role", "where"), GET_CASES)
def test_get(world, db, key, role, where):
    pattern, entry = PATTERNS[key], EXPECT[key]
    response = _client(world, role).get(_url(world, pattern, entry, role, where))
    answer = classify(response)
    assert answer == _expected(entry, "get", role, where), f"GET {key} as {role} ({where})"
    if answer == "ok":
        _assert_no_leak(response, role, key)


@pytest.mark.parametrize(("key", "role", "where"), POST_CASES)
def test_post(world, db, key, role, where):
    pattern, entry = PATTERNS[key], EXPECT[key]
    expected = _expected(entry, "post", role, where)
    client = _client(world, role)  # before the snapshot: logging in saves the user
    before = _snapshot(world, pattern, role, where) if expected in REFUSED else None
    response = client.post(_url(world, pattern, entry, role, where))
    assert classify(response) == expected, f"POST {key} as {role} ({where})"
    if before is not None:
        assert _snapshot(world, pattern, role, where) == before, f"POST {key} as {role} changed rows"


def _admin_url(world, pattern, role, where):
    model, _model_admin = admin_model(pattern)
    values = {}
    obj = _admin_object(world, model, role, where) if model else None
    for kw in pattern.kwargs:
        if kw in ("object_id", "id"):
            values[kw] = obj.pk if obj is not None else 0
        elif kw == "history_id":
            history = getattr(model, "history", None) if obj is not None else None
            row = history.filter(id=obj.pk).first() if history is not None else None
            values[kw] = row.history_id if row else 0
        elif kw == "app_label":
            values[kw] = "orgs"
        elif kw == "url":
            values[kw] = "no-such-page/"
        elif kw == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[kw] = ContentType.objects.get_for_model(type(world.orgs["A1"])).pk
            values["object_id"] = pick_org(world, role, where).pk
    route = pattern.route
    if pattern.route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if "app_label" in values:
        return f"/admin/{values['app_label']}/"
    return fill(route, values)


def pick_org(world, role, where):
    from .urlwalk import INSIDE, OUTSIDE

    chain = INSIDE[role] if where == "in" else OUTSIDE[role]
    return world.orgs[chain[0]]


def _admin_object(world, model, role, where):
    """The world's object of this model inside/outside the persona's scope; else any row."""
    if model is type(world.orgs["A1"]):
        return pick_org(world, role, where)
    for kind, objs in world.objs.items():
        if objs and isinstance(next(iter(objs.values())), model):
            return pick(world, kind, role, where)
    return model._default_manager.order_by("pk").first()


def _admin_scoped(world, model):
    """Models whose rows belong to an organization in the world (in/out is meaningful)."""
    if model is type(world.orgs["A1"]):
        return True
    return any(objs and isinstance(next(iter(objs.values())), model) and kind not in (
        "notification", "export_job") for kind, objs in world.objs.items())


@pytest.mark.parametrize(("key", "role", "where"), ADMIN_CASES)
def test_admin(world, db, key, role, where):
    """Non-staff are sent to the admin's login; the superuser reaches everything; staff
    (alice, bob) never reach an object outside their scope nor read the foreign county in
    a list."""
    pattern = PATTERNS[key]
    rule = admin_expectation(pattern)
    model, _model_admin = admin_model(pattern)
    client = _client(world, role)
    url = _admin_url(world, pattern, role, where)
    response = client.get(url)
    answer = classify(response)
    assert answer != "500"
    if rule == "admin:login":  # the form, or (staff) straight on to the index
        assert answer == ("admin_index" if role in ("bob", "alice", "root") else "ok"), key
        return
    if rule == "admin:logout":  # POST only; a GET shows nothing
        assert answer in ("405", "admin_index"), f"{key} as {role}"
        return
    if role in NON_STAFF:
        assert answer == "admin_login", f"{key} as {role}: {answer}"
        return
    if rule == "redirect":  # <id>/ → <id>/change/, which checks (the "change" cases)
        assert answer == "ok" and response["Location"].endswith("/change/"), key
        return
    if role == "root":
        missing = model is not None and rule not in ("changelist", "add") and (
            _admin_object(world, model, role, where) is None)
        allowed = {"admin_index"} if missing else {"ok"}
        if rule in ("add", "delete"):
            allowed.add("403")  # a read-only admin (kept by the system) or one that never deletes
        if rule in ("admin:app_list", "admin:view_on_site") or key == "admin/(?P<url>.*)$":
            allowed.add("404")  # no such page / no get_absolute_url
        if rule == "admin:autocomplete":
            allowed = {"403"}  # without the field it completes
        assert answer in allowed, f"{key} as root: {answer}"
        return
    # Staff without superuser rights: their scope only.
    if where == "out" and model is not None and _admin_scoped(world, model):
        assert answer in {"admin_index", "403", "404"}, f"{key} as {role} outside: {answer}"
    else:
        assert answer in {"ok", "403", "404", "admin_index"}, f"{key} as {role}: {answer}"
    if answer == "ok" and rule in ("changelist", "admin:index"):
        _assert_no_leak(response, role, key)


# ---------------------------------------------------------------- bugs the matrix found

def test_dimension_history_in_the_admin(world, db):
    """Regression: a dimension has no history table, and simple-history's view raised
    AttributeError (a 500) for anyone who opened its history in the admin."""
    dimension = world.objs["dimension"]["C"]
    url = f"/admin/standards/dimension/{dimension.pk}/history/"
    assert _client(world, "root").get(url).status_code == 200
    assert _client(world, "alice").get(url).status_code == 200
    outside = world.objs["dimension"]["D"]
    response = _client(world, "alice").get(f"/admin/standards/dimension/{outside.pk}/history/")
    assert classify(response) == "admin_index"  # not in her queryset: "does not exist"
