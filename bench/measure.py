"""What the bench measures on the generated data (issue 10, points 1–6).

Each figure is a `Figure`: a value, its target, and whether it is met. Pages go
through Django's test client (the whole middleware stack and the templates), as
the median of several runs after one warm-up, with the query count of the last
run. Jobs call the same service functions Celery runs.
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

BASE_DIR = Path(__file__).resolve().parent.parent
SCOPES = ("committee", "county", "city")
USERS = {"committee": "bench_committee", "county": "bench_county", "city": "bench_city"}


@dataclass
class Figure:
    section: str
    name: str
    value: object
    unit: str = ""
    target: str = ""
    met: bool | None = None  # None: reported, no target

    def as_dict(self):
        return {"section": self.section, "name": self.name, "value": self.value,
                "unit": self.unit, "target": self.target, "met": self.met}


def _client(username):
    from orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _consume(response):
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass
    return response


def timed(client, method, url, data=None, runs=5):
    """(median ms, queries of the last run, status) of a request, after a warm-up."""
    call = getattr(client, method)

    def request(i):
        if data is None:
            return _consume(call(url))
        return _consume(call(url, data(i) if callable(data) else data))

    request(-1)
    times = []
    for i in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = request(i)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code not in (200, 302):
            raise AssertionError(f"{url}: HTTP {response.status_code}")
    return round(statistics.median(times), 1), len(ctx.captured_queries), response.status_code


def pages(campaign_id, runs) -> tuple[list, dict]:
    urls = {
        "dashboard": "/reports/",
        "tree page": "/orgs/tree/",
        "organization list": "/orgs/",
        "campaign page": f"/assessments/{campaign_id}/",
        "problem list (问题清单)": "/rectification/problems/",
        "task list (任务清单)": "/rectification/tasks/",
        "responsibility list (责任清单)": "/rectification/tasks/by-person/",
        "status list (整改清单)": "/rectification/tasks/by-status/",
        "wall chart (挂图作战)": "/rectification/wall-chart/",
    }
    raw = {name: {} for name in urls}
    for scope in SCOPES:
        client = _client(USERS[scope])
        for name, url in urls.items():
            ms, queries, _status = timed(client, "get", url, runs=runs)
            raw[name][scope] = {"ms": ms, "queries": queries}
            print(f"  {name:<32} {scope:<10} {ms:8.1f} ms {queries:4d} queries", flush=True)
    figures = []
    for name, by_scope in raw.items():
        section = "1 dashboard" if name == "dashboard" else "2 pages"
        for scope in SCOPES:
            ms = by_scope[scope]["ms"]
            target, met = "", None
            if name == "dashboard" and scope == "county":
                target, met = "≤ 250 ms", ms <= 250
            if name == "dashboard" and scope == "city":
                target, met = "≤ 1000 ms", ms <= 1000
            figures.append(Figure(section, f"{name} · {scope} · median", ms, "ms", target, met))
        counts = [by_scope[s]["queries"] for s in SCOPES]
        figures.append(Figure(section, f"{name} · queries committee/county/city",
                              "/".join(map(str, counts)), "", "the same", len(set(counts)) == 1))
        ratio = round(by_scope["city"]["ms"] / by_scope["committee"]["ms"], 2)
        figures.append(Figure(section, f"{name} · city ÷ committee", ratio, "×", "≤ 4",
                              ratio <= 4))
    return figures, raw


def self_check(assessment_id, runs) -> list:
    from assessments.models import ItemResponse

    client = _client("bench_secretary")
    url = f"/assessments/a/{assessment_id}/fill/"
    ms, queries, _ = timed(client, "get", url, runs=runs)
    item_ids = list(ItemResponse.objects.filter(assessment_id=assessment_id)
                    .values_list("item_id", flat=True))

    def answers(i):
        # Each run changes every answer, so each save writes 60 rows.
        return {f"v-{item}": ("true" if (item + i) % 2 else "false") for item in item_ids}

    save_ms, save_queries, status = timed(client, "post", url, data=answers, runs=runs)
    return [
        Figure("3 self-check", f"self-check page ({len(item_ids)} items) · median", ms, "ms",
               "≤ 150 ms", ms <= 150),
        Figure("3 self-check", "self-check page · queries", queries),
        Figure("3 self-check", f"self-check save ({len(item_ids)} answers) · median", save_ms,
               "ms", "", None),
        Figure("3 self-check", f"self-check save · queries (HTTP {status})", save_queries),
    ]


def _capture_rows(client, url):
    """The rows an export writes, captured at the writer, as an in-memory list."""
    import partybuild.xlsx as xlsx

    captured = {}
    real = xlsx.write_table

    def plain(value):
        # Excel takes no time zones: the floor gets values already as the writer needs them.
        if isinstance(value, datetime) and value.tzinfo is not None:
            return xlsx.local_naive(value)
        return getattr(value, "value", value)  # a Filled cell: its value

    def capture(**kwargs):
        captured["rows"] = [[plain(v) for v in row] for row in kwargs["rows"]]
        captured["columns"] = kwargs["columns"]
        return tempfile.TemporaryFile()

    xlsx.write_table = capture
    try:
        _consume(client.get(url))
    finally:
        xlsx.write_table = real
    return captured["rows"]


def _floor_write(rows):
    """openpyxl write-only, the same rows from a list, nothing else: the floor."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("floor")
    for row in rows:
        ws.append(row)
    with tempfile.TemporaryFile() as out:
        wb.save(out)


def _peak_mb(fn):
    tracemalloc.start()
    try:
        fn()
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()


def exports(campaign_id, runs) -> tuple[list, dict]:
    cases = [
        ("tasks (任务清单)", "city", "/rectification/tasks/export.xlsx"),
        ("tasks (任务清单)", "county", "/rectification/tasks/export.xlsx"),
        ("campaign results", "city", f"/assessments/{campaign_id}/export.xlsx"),
        ("campaign results", "county", f"/assessments/{campaign_id}/export.xlsx"),
    ]
    figures, raw = [], {}
    for name, scope, url in cases:
        client = _client(USERS[scope])
        ms, queries, _ = timed(client, "get", url, runs=runs)
        rows = _capture_rows(client, url)
        floor_times = []
        for _ in range(runs):
            start = time.perf_counter()
            _floor_write(rows)
            floor_times.append((time.perf_counter() - start) * 1000)
        floor_ms = round(statistics.median(floor_times), 1)
        peak = _peak_mb(lambda: _consume(client.get(url)))  # noqa: B023
        floor_peak = _peak_mb(lambda: _floor_write(rows))  # noqa: B023
        raw[(name, scope)] = {"rows": len(rows), "ms": ms, "queries": queries,
                              "floor_ms": floor_ms, "peak_mb": peak, "floor_peak_mb": floor_peak}
        print(f"  export {name:<18} {scope:<7} {len(rows):6d} rows {ms:8.0f} ms "
              f"(floor {floor_ms:.0f} ms) peak {peak} MB (floor {floor_peak} MB) "
              f"{queries} queries", flush=True)
        ratio = round(ms / floor_ms, 2) if floor_ms else None
        label = f"export {name} · {scope} · {len(rows):,} rows"
        figures += [
            Figure("4 exports", f"{label} · median", ms, "ms", "", None),
            Figure("4 exports", f"{label} · ÷ openpyxl write-only floor ({floor_ms} ms)", ratio,
                   "×", "≤ 1.5", ratio is not None and ratio <= 1.5),
            Figure("4 exports", f"{label} · peak Python memory (floor {floor_peak} MB)", peak, "MB"),
        ]
    for name in ("tasks (任务清单)", "campaign results"):
        big, small = raw[(name, "city")], raw[(name, "county")]
        figures.append(Figure(
            "4 exports", f"export {name} · queries county/city",
            f"{small['queries']}/{big['queries']}", "", "the same",
            small["queries"] == big["queries"]))
        growth = round(big["peak_mb"] - small["peak_mb"], 1)
        figures.append(Figure(
            "4 exports",
            f"export {name} · peak memory {big['rows']:,} rows − {small['rows']:,} rows",
            growth, "MB", "≤ 50 MB", growth <= 50))
    return figures, {f"{k[0]} · {k[1]}": v for k, v in raw.items()}


def jobs(standard_set_id) -> list:
    from assessments.models import Assessment, Campaign
    from assessments.services import campaign_create, campaign_launch
    from orgs.models import Organization, User
    from standards.models import StandardSet
    from supervision.models import Dispatch, Job, Notification
    from supervision.services import run_job

    figures = []
    city = User.objects.get(username="bench_city")
    root = Organization.objects.get(depth=1)
    campaign = campaign_create(
        name="基准：发起测试", year=date.today().year, by=city, organization=root,
        standard_set=StandardSet.objects.get(pk=standard_set_id),
    )
    times, made = [], []
    for _ in range(2):
        start = time.perf_counter()
        campaign_launch(campaign=campaign, by=city)
        times.append(time.perf_counter() - start)
        made.append(Assessment.objects.filter(campaign=campaign).count())
    campaign.refresh_from_db()
    status_ok = campaign.status == "active"
    Assessment.objects.filter(campaign=campaign).delete()
    Campaign.objects.filter(pk=campaign.pk).delete()
    figures += [
        Figure("5 jobs", f"campaign launch for {made[0]:,} organizations", round(times[0], 1),
               "s", "≤ 30 s", times[0] <= 30 and status_ok),
        Figure("5 jobs", "campaign launch · second run (creates nothing)", round(times[1], 1),
               "s", f"+0 (made +{made[1] - made[0]})", made[1] == made[0]),
    ]
    today = date.today()
    for job, model, label, target in (
        (Job.DISPATCH, Dispatch, "monthly dispatch", 60),
        (Job.REMINDERS, Notification, "daily reminders", None),
    ):
        counts, seconds = [model.objects.count()], []
        for _ in range(2):
            start = time.perf_counter()
            run_job(job=job, run_for=today)
            seconds.append(time.perf_counter() - start)
            counts.append(model.objects.count())
        created = counts[1] - counts[0]
        figures += [
            Figure("5 jobs", f"{label} ({created:,} made)", round(seconds[0], 1), "s",
                   f"≤ {target} s" if target else "", seconds[0] <= target if target else None),
            Figure("5 jobs", f"{label} · second run (creates nothing)", round(seconds[1], 1), "s",
                   f"+0 (made +{counts[2] - counts[1]})", counts[2] == counts[1]),
        ]
    return figures


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status


def _wait_and_warm(base, cookie):
    """Until both workers answer (bounded: 60 s), then a few requests to each page."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(base + "/healthz") == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not answer within 60 s")
        time.sleep(0.3)
    for _ in range(6):
        for path in ("/healthz", "/orgs/", "/reports/"):
            _get(base + path, cookie)


def load(duration=30, users=16) -> tuple[list, dict]:
    """A real gunicorn (2 workers, loopback only) and wrk at `users` connections."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return [Figure("6 load", "wrk not installed (apt-get install -y wrk)", "skipped", "",
                       "", False)], {}
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "partybuild.wsgi", "-w", "2",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        cookie = _client("bench_county").cookies["sessionid"].value
        _wait_and_warm(base, cookie)
        targets = [
            ("trivial view (/healthz, 1 query)", "/healthz", False),
            ("organization list · county", "/orgs/", True),
            ("dashboard · county", "/reports/", True),
        ]
        raw = {}
        for name, path, login in targets:
            cmd = [wrk, "-t2", f"-c{users}", f"-d{duration}s", "--timeout", "10s",
                   "-s", str(BASE_DIR / "bench" / "wrk_report.lua"), base + path]
            if login:
                cmd[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
            line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
            data = json.loads(line[len("WRKJSON "):])
            errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
            raw[name] = {
                "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
                "p50_ms": round(data["p50_us"] / 1000, 1), "p95_ms": round(data["p95_us"] / 1000, 1),
                "p99_ms": round(data["p99_us"] / 1000, 1), "errors": errors,
                "requests": data["requests"],
            }
            print(f"  load {name:<34} {raw[name]}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    figures = []
    trivial = raw["trivial view (/healthz, 1 query)"]["rps"]
    for name, r in raw.items():
        figures.append(Figure("6 load", f"{name} · req/s", r["rps"], "req/s"))
        figures.append(Figure("6 load", f"{name} · p50/p95/p99",
                              f"{r['p50_ms']}/{r['p95_ms']}/{r['p99_ms']}", "ms",
                              "p95 ≤ 100 ms" if "organization" in name else "",
                              r["p95_ms"] <= 100 if "organization" in name else None))
        figures.append(Figure("6 load", f"{name} · errors", r["errors"], "", "0",
                              r["errors"] == 0))
    share = round(100 * raw["organization list · county"]["rps"] / trivial, 1) if trivial else 0
    figures.append(Figure("6 load", "organization list ÷ trivial view", share, "%", "≥ 10 %",
                          share >= 10))
    return figures, raw
