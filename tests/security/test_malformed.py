"""Malformed requests never crash: every endpoint of the resolver gets wrong types, missing
fields, huge strings, unknown ids, bad dates, negative numbers and bytes that are not UTF-8,
in its query string and in its POST body, from a user who may use it.

The answer must be a 4xx with a message, a 200 (the form again, with its errors) or a
redirect (the input was acceptable) — never a 500 — and a refused request (4xx, or the
form again) changes no row of any project model.

Which user: the first of bob, alice, dave, victor, harry, nobody, root that the permission
matrix (test_permission_matrix.EXPECT) allows on the object inside their scope. Which
fields: those of the forms on the pages that user can open (parsed with html.parser) whose
action is the endpoint, plus a few generic names (page, org, year, q, …). Hypothesis is
derandomized with a small budget (MAX_EXAMPLES per endpoint), so CI draws the same cases.
"""

from datetime import date
from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .forms import forms_of
from .kinds import kwarg_values
from .test_permission_matrix import EXPECT, GET_ONLY, PATTERNS
from .urlwalk import ROLES, fill, row_counts

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 12
FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
USERS = ("bob", "alice", "dave", "victor", "harry", "nobody", "root")
GENERIC = ("page", "org", "year", "q", "status", "campaign", "category", "sort", "month", "table",
           "a", "b", "period", "quarter", "level", "next", "ids")
HUGE = "党" * 20_000
BAD_WORDS = ["", " ", "-1", "-99999999999", "0", "1e309", "NaN", "Infinity", "12.345.6", "0x1F",
             "2026-13-45", "2026-02-30", "31/12/2026", "0000-00-00", "99999999999999999999",
             "null", "true", "[]", "{}", "\x00", "<script>alert(1)</script>", "' OR 1=1 --",
             "../../etc/passwd", "%ff", "１２３", HUGE]
BAD = st.one_of(
    st.sampled_from(BAD_WORDS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=date(1, 1, 1)).map(lambda d: d.strftime("%Y-%m-%d")),
    st.text(max_size=40),
)
NOT_UTF8 = st.binary(min_size=1, max_size=40).map(lambda b: b + b"\xff\xfe\xc3\x28")


def _user(entry, method):
    codes = entry.get_in if method == "get" else entry.post
    for name in USERS:
        if codes[ROLES.index(name)] in ("Y", "B") if method == "post" else codes[ROLES.index(name)] == "Y":
            return name
    return None


def _targets(method):
    for key, entry in EXPECT.items():
        if key not in PATTERNS or key in ("logout", "login", "set_language"):
            continue  # Django's own auth views: not ours to fuzz (login is throttled by axes)
        if method == "post" and entry.post == GET_ONLY:
            continue
        if _user(entry, method):
            yield key


GET_TARGETS = list(_targets("get"))
POST_TARGETS = list(_targets("post"))


@pytest.fixture(scope="module")
def form_fields(world, django_db_blocker):
    """{pattern key: {field names}} from the forms on every page the fuzzing users can open."""
    found = {}
    users = {_user(EXPECT[key], "post") for key in POST_TARGETS}
    with django_db_blocker.unblock():
        for role in sorted(users):
            client = _client(world, role)
            for key in GET_TARGETS:
                if EXPECT[key].get_in[ROLES.index(role)] != "Y":
                    continue
                path = _path(world, key, role)
                response = client.get(path)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                for form in forms_of(response.content.decode(), path):
                    try:
                        match = resolve(form["action"])
                    except Resolver404:
                        continue
                    target = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
                    names = found.setdefault(target, set())
                    names.update(form["fields"])
                    names.update(f"file:{name}" for name in form["files"])
    return found


def _client(world, role):
    client = Client()
    client.force_login(getattr(world.people, role))
    return client


def _path(world, key, role):
    pattern = PATTERNS[key]
    return fill(pattern.route, kwarg_values(world, pattern, role, "in") or {})


def _assert_answer(response, key):
    status = response.status_code
    assert status < 500, f"{key}: {status}"
    assert status in (200, 301, 302, 303, 400, 403, 404, 405, 413), f"{key}: {status}"
    if status >= 400:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.strip(), f"{key}: a {status} without a message"


def _count(request):
    request.node.user_properties.append(("malformed_cases", 1))


@pytest.mark.parametrize("key", GET_TARGETS)
@FUZZ
@given(params=st.dictionaries(st.sampled_from(GENERIC), BAD, max_size=4),
       raw=st.one_of(st.none(), NOT_UTF8))
def test_query_strings(world, db, request, key, params, raw):
    role = _user(EXPECT[key], "get")
    client = _client(world, role)
    query = urlencode(params)
    if raw is not None:
        query += ("&" if query else "") + "q=" + quote_from_bytes(raw)
    before = row_counts()
    response = client.get(_path(world, key, role) + "?" + query)
    _count(request)
    _assert_answer(response, key)
    if key not in ("exports:job_download",):  # GETs never write (exports may queue a job)
        assert row_counts() == before or response.status_code == 302, f"GET {key} wrote rows"


def _post_fields(form_fields, key):
    names = form_fields.get(key) or set()
    return sorted(names) or ["name", "value", "date", "amount", "reason", "text", "comment", "notes",
                             "stars", "item", "progress", "accepted", "run_for", "users", "file:file"]


@pytest.mark.parametrize("key", POST_TARGETS)
@FUZZ
@given(data=st.data())
def test_posts(world, db, request, form_fields, key, data):
    role = _user(EXPECT[key], "post")
    client = _client(world, role)
    path = _path(world, key, role)
    names = _post_fields(form_fields, key)
    # Each field: missing, or a bad value (files: junk bytes under a plausible name).
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    body = {}
    for name in chosen:
        if name.startswith("file:"):
            junk = data.draw(st.binary(max_size=200))
            suffix = data.draw(st.sampled_from([".pdf", ".jpg", ".xlsx", ".exe", ""]))
            body[name[5:]] = SimpleUploadedFile(f"x{suffix}", junk)
        else:
            body[name] = data.draw(BAD)
    raw = data.draw(st.one_of(st.none(), NOT_UTF8))
    before = row_counts()
    if raw is None:
        response = client.post(path, body)
    else:
        encoded = urlencode({k: v for k, v in body.items() if isinstance(v, str)}).encode()
        response = client.generic("POST", path, encoded + b"&" + raw,
                                  content_type="application/x-www-form-urlencoded")
    _count(request)
    _assert_answer(response, key)
    if response.status_code != 302:
        assert row_counts() == before, f"POST {key} refused ({response.status_code}) but changed rows"


@pytest.mark.parametrize("key", sorted(k for k in GET_TARGETS + POST_TARGETS if PATTERNS[k].kwargs
                                       and ("job",) != PATTERNS[k].kwargs))
@pytest.mark.parametrize("pk", [0, 999_999_999, 2**63, 10**30])
def test_unknown_ids(world, db, request, key, pk):
    """An id that names nothing, or does not fit the column, is a 404 with a message."""
    entry = EXPECT[key]
    method = "get" if key in GET_TARGETS else "post"
    role = _user(entry, method)
    pattern = PATTERNS[key]
    values = kwarg_values(world, pattern, role, "in")
    path = fill(pattern.route, {kw: pk for kw in values})
    client = _client(world, role)
    before = row_counts()
    response = client.get(path) if method == "get" else client.post(path, {})
    _count(request)
    _assert_answer(response, key)
    assert response.status_code == 404, f"{key} with id {pk}: {response.status_code}"
    assert row_counts() == before


# ---------------------------------------------------------------- bugs these tests found

def test_user_search_with_a_nul_character(world, db):
    """Regression: ?q= with a NUL reached PostgreSQL, which refuses it (a 500)."""
    response = _client(world, "alice").get("/orgs/users/?q=%00dave%00")
    assert response.status_code == 200
    assert "dave" in response.content.decode()
