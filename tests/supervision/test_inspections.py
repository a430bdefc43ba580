"""季督查 pages and the 通报 (supervision/views/inspections.py): who reads and records what,
findings becoming problems, finishing, the bulletin and its export, malformed input,
and a fixed number of queries at two sizes.

The plans are made by the job itself (`services.run_job`) on the test county, with
extra branches so each committee's sample holds several organizations, and a third
committee (town C) nobody but the county sees.
"""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orgs.models import Level, Role
from rectification import services as rect
from rectification.models import Problem, ProblemSource, Severity
from supervision import inspections as service
from supervision import services
from supervision.models import (
    Inspection,
    InspectionFinding,
    InspectionSample,
    InspectionStatus,
    Job,
)

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, add_many_branches
from .conftest import DAY

pytestmark = pytest.mark.django_db

QUARTER = "2026Q4"
EXPORT_HEADER = ["党(工)委", "组织代码", "组织名称", "抽取原因", "督查日期", "发现问题", "严重程度", "整改任务",
                 "整改状态"]


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def plan(county, *, branches=18, committees=0):
    """Branches under towns A and B (and `committees` more committees with branches), then
    the quarter's plans by the job. Returns {committee code: inspection}."""
    add_many_branches(county.town_a, branches, prefix="AX")
    add_many_branches(county.town_b, branches, prefix="BX")
    for i in range(committees):
        town = OrganizationFactory(parent=county.county, code=f"T{i:02d}", name=f"第{i}镇党委",
                                   level=Level.COMMITTEE, category=None)
        add_many_branches(town, branches, prefix=f"T{i:02d}X")
    services.run_job(job=Job.INSPECTION, run_for=DAY)
    return {i.committee.code: i for i in Inspection.objects.select_related("committee")}


@pytest.fixture
def town_c(county):
    town = OrganizationFactory(parent=county.county, code="TC", name="南山镇党委",
                               level=Level.COMMITTEE, category=None)
    add_many_branches(town, 4, prefix="CX")
    return town


@pytest.fixture
def plans(county, people, town_c):
    return plan(county)


@pytest.fixture
def ivan(county, people):
    """A viewer on town B only (督查组), to be made inspector of town A's inspection."""
    user = UserFactory(username="ivan", full_name="督查组 吴伟")
    AssignmentFactory(user=user, organization=county.town_b, role=Role.VIEWER)
    return user


def first_sample(inspection):
    return inspection.samples.select_related("organization").order_by("organization__path").first()


def visit_data(sample, day=None, note="走访了支部"):
    return {f"s{sample.pk}-inspected_on": (day or timezone.localdate()).isoformat(),
            f"s{sample.pk}-note": note}


def record(sample, by, description="三会一课记录不全", severity=Severity.MEDIUM):
    return service.finding_record(sample=sample, by=by, description=description, severity=severity)


def read(response):
    """(title, scope line, header, data rows) of the first sheet."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:]


# ---------------------------------------------------------------- who gets in


def all_urls(plans):
    a = plans["A"]
    sample = first_sample(a)
    return [
        ("get", url("inspection_list")), ("get", url("bulletin")), ("get", url("bulletin_export")),
        ("get", url("inspection_detail", a.pk)), ("post", url("inspection_inspectors", a.pk)),
        ("post", url("inspection_finish", a.pk)), ("post", url("sample_visit", sample.pk)),
        ("get", url("finding_create", sample.pk)), ("post", url("finding_create", sample.pk)),
    ]


def test_anonymous_goes_to_login(client, plans):
    for method, address in all_urls(plans):
        response = getattr(client, method)(address)
        assert response.status_code == 302, address
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["dave", "erin", "harry", "nobody"])
def test_without_a_reading_role_the_pages_are_refused(client_for, people, plans, name):
    client = client_for(getattr(people, name))
    for address in (url("inspection_list"), url("bulletin"), url("bulletin_export")):
        assert client.get(address, {"quarter": QUARTER}).status_code == 403, address
    # An inspection outside their scope, and they inspect none: not found.
    assert client.get(url("inspection_detail", plans["A"].pk)).status_code == 404
    sample = first_sample(plans["A"])
    assert client.post(url("sample_visit", sample.pk), visit_data(sample)).status_code == 404


def test_wrong_methods(client_for, people, plans):
    client = client_for(people.alice)
    a = plans["A"]
    sample = first_sample(a)
    for address in (url("inspection_inspectors", a.pk), url("inspection_finish", a.pk),
                    url("sample_visit", sample.pk)):
        assert client.get(address).status_code == 405, address
    for address in (url("inspection_list"), url("bulletin"), url("bulletin_export"),
                    url("inspection_detail", a.pk)):
        assert client.post(address).status_code == 405, address
    assert client.put(url("finding_create", sample.pk)).status_code == 405


def test_unknown_pks_are_not_found(client_for, people, plans):
    client = client_for(people.alice)
    missing = max(InspectionSample.objects.values_list("pk", flat=True)) + 1000
    assert client.get(url("inspection_detail", 987654)).status_code == 404
    assert client.post(url("inspection_finish", 987654)).status_code == 404
    assert client.get(url("finding_create", missing)).status_code == 404
    assert client.post(url("sample_visit", missing)).status_code == 404
    assert client.get("/supervision/inspections/abc/").status_code == 404


# ---------------------------------------------------------------- the list


def listed(response):
    assert response.status_code == 200
    return sorted(i.committee.code for i in response.context["inspections"])


def test_the_list_shows_each_reader_their_committees(client_for, people, plans):
    assert listed(client_for(people.alice).get(url("inspection_list"))) == ["A", "B", "TC"]
    assert listed(client_for(people.bob).get(url("inspection_list"))) == ["A"]
    assert listed(client_for(people.charlie).get(url("inspection_list"))) == ["B"]
    assert listed(client_for(people.victor).get(url("inspection_list"))) == ["A"]


def test_the_list_defaults_to_the_latest_quarter_and_counts(client_for, people, plans):
    a = plans["A"]
    samples = list(a.samples.order_by("organization__path"))
    record(samples[0], people.alice)
    record(samples[0], people.alice, description="党员档案不全")
    service.sample_visited(sample=samples[1], by=people.alice, inspected_on=timezone.localdate())
    # An older quarter's plan: not the default.
    services.run_job(job=Job.INSPECTION, run_for=DAY - timedelta(days=200))
    response = client_for(people.bob).get(url("inspection_list"))
    assert response.context["quarter"] == QUARTER
    row = response.context["inspections"][0]
    assert (row.n_sampled, row.n_visited, row.n_findings) == (len(samples), 2, 2)
    assert row.status == InspectionStatus.IN_PROGRESS
    codes = [value for value, _label in response.context["form"].fields["quarter"].choices]
    assert codes == ["2026Q4", "2026Q2"]
    assert f'data-pk="{a.pk}"'.encode() in response.content
    older = client_for(people.bob).get(url("inspection_list"), {"quarter": "2026q2"})
    assert older.context["quarter"] == "2026Q2"
    assert [i.n_findings for i in older.context["inspections"]] == [0]


@pytest.mark.parametrize("garbage", ["2026Q5", "abc", "1999Q1", "2026-10", "'; drop table"])
def test_a_bad_quarter_says_so_and_shows_the_default(client_for, people, plans, garbage):
    for name in ("inspection_list", "bulletin"):
        response = client_for(people.alice).get(url(name), {"quarter": garbage})
        assert response.status_code == 200
        assert response.context["quarter"] == QUARTER
        assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    response = client_for(people.alice).get(url("bulletin_export"), {"quarter": garbage})
    assert response.status_code == 400


def test_a_superuser_reads_every_inspection(client_for, people, plans):
    assert listed(client_for(people.root).get(url("inspection_list"))) == ["A", "B", "TC"]
    assert client_for(people.root).get(url("inspection_detail", plans["B"].pk)).status_code == 200


def test_a_quarter_without_inspections_is_empty(client_for, people, plans):
    response = client_for(people.alice).get(url("inspection_list"), {"quarter": "2025Q1"})
    assert response.status_code == 200 and response.context["inspections"] == []
    assert response.context["quarter"] == "2025Q1"
    assert not list(response.context["messages"])


def test_no_inspection_at_all(client_for, people):
    for name in ("inspection_list", "bulletin"):
        assert client_for(people.alice).get(url(name)).status_code == 200
    _title, _scope, _header, rows = read(client_for(people.alice).get(url("bulletin_export")))
    assert rows == [["合计", None, None, None, None, "共0个问题", None, None, None]]


# ---------------------------------------------------------------- one inspection


def test_detail_shows_the_sample_and_who_may_do_what(client_for, people, plans):
    a = plans["A"]
    response = client_for(people.alice).get(url("inspection_detail", a.pk))
    assert response.status_code == 200
    assert response.context["rights"].can_manage and response.context["rights"].can_record
    samples = response.context["samples"]
    assert [s.pk for s in samples] == list(a.samples.order_by("organization__path").values_list("pk", flat=True))
    assert len(samples) == 4  # 20 branches, a fifth of them
    assert url("finding_create", samples[0].pk).encode() in response.content
    assert reverse("orgs:detail", args=[samples[0].organization_id]).encode() in response.content
    assert str(a.seed).encode() in response.content
    assert url("inspection_inspectors", a.pk).encode() in response.content
    # The inspectors' choices: the county's staff and viewers, never a secretary or helper.
    choices = {u.username for u in response.context["inspectors_form"].fields["inspectors"].queryset}
    assert choices == {"alice", "bob", "charlie", "victor"}


def test_a_committee_reads_its_own_and_may_not_change_it(client_for, people, plans):
    a, b = plans["A"], plans["B"]
    client = client_for(people.bob)
    response = client.get(url("inspection_detail", a.pk))
    assert response.status_code == 200
    rights = response.context["rights"]
    assert not rights.can_manage and not rights.can_record
    assert url("inspection_finish", a.pk).encode() not in response.content
    assert b"visit-form" not in response.content
    assert client.get(url("inspection_detail", b.pk)).status_code == 404
    sample = first_sample(a)
    assert client.post(url("inspection_inspectors", a.pk), {"inspectors": [people.bob.pk]}).status_code == 403
    assert client.post(url("inspection_finish", a.pk)).status_code == 403
    assert client.post(url("sample_visit", sample.pk), visit_data(sample)).status_code == 403
    assert client.get(url("finding_create", sample.pk)).status_code == 403
    assert client.post(url("finding_create", sample.pk), {"description": "x", "severity": "high"}).status_code == 403
    b_sample = first_sample(b)
    assert client.post(url("sample_visit", b_sample.pk), visit_data(b_sample)).status_code == 404
    assert client.get(url("finding_create", b_sample.pk)).status_code == 404
    assert client.post(url("inspection_finish", b.pk)).status_code == 404
    assert not Problem.objects.exists()
    assert not a.inspectors.exists()


def test_an_inspector_from_elsewhere_records_on_their_inspection_only(client_for, people, plans, ivan):
    a, b, c = plans["A"], plans["B"], plans["TC"]
    response = client_for(people.alice).post(url("inspection_inspectors", a.pk),
                                             {"inspectors": [ivan.pk, people.victor.pk]})
    assert response.status_code == 302
    assert set(a.inspectors.values_list("username", flat=True)) == {"ivan", "victor"}

    client = client_for(ivan)
    assert listed(client.get(url("inspection_list"))) == ["A", "B"]
    response = client.get(url("inspection_detail", a.pk))
    assert response.status_code == 200
    rights = response.context["rights"]
    assert rights.can_record and not rights.can_manage
    sample = response.context["samples"][0]
    assert not sample.linked  # town A's organization pages are not ivan's
    assert reverse("orgs:detail", args=[sample.organization_id]).encode() not in response.content

    response = client.post(url("sample_visit", sample.pk), visit_data(sample, note="支部书记在岗"))
    assert response.status_code == 302
    sample.refresh_from_db()
    assert (sample.inspected_on, sample.note) == (timezone.localdate(), "支部书记在岗")
    assert client.get(url("finding_create", sample.pk)).status_code == 200
    response = client.post(url("finding_create", sample.pk),
                           {"description": "组织生活记录缺失", "severity": "high"})
    assert response.status_code == 302
    assert response["Location"] == f"{url('inspection_detail', a.pk)}#sample-{sample.pk}"
    finding = InspectionFinding.objects.get()
    assert finding.by == ivan and finding.problem.organization_id == sample.organization_id

    # Not a manager of A; reads B as a viewer but may not record there; C is not his.
    assert client.post(url("inspection_finish", a.pk)).status_code == 403
    assert client.post(url("inspection_inspectors", a.pk), {"inspectors": [ivan.pk]}).status_code == 403
    assert client.get(url("inspection_detail", b.pk)).status_code == 200
    b_sample = first_sample(b)
    assert client.post(url("sample_visit", b_sample.pk), visit_data(b_sample)).status_code == 403
    assert client.get(url("inspection_detail", c.pk)).status_code == 404
    c_sample = first_sample(c)
    assert client.get(url("finding_create", c_sample.pk)).status_code == 404
    # The bulletin: A's findings (his inspection) and B's (his scope), not C's.
    groups = client.get(url("bulletin")).context["groups"]
    assert [g.committee.code for g in groups] == ["A", "B"]


def test_an_inspector_with_no_role_reads_the_list_and_their_inspection(client_for, people, plans):
    """Made inspector, then the role was taken away: the inspection stays theirs to record."""
    user = UserFactory(username="former")
    plans["A"].inspectors.add(user)
    client = client_for(user)
    assert listed(client.get(url("inspection_list"))) == ["A"]
    assert client.get(url("bulletin")).status_code == 200
    assert client.get(url("inspection_detail", plans["B"].pk)).status_code == 404


def test_inspectors_only_from_the_county(client_for, people, plans):
    a = plans["A"]
    other = OrganizationFactory(code="Z", name="邻县县委", level=Level.COUNTY, category=None)
    stranger = UserFactory(username="stranger")
    AssignmentFactory(user=stranger, organization=other, role=Role.COUNTY_STAFF)
    client = client_for(people.alice)
    for user in (stranger, people.dave, people.harry):
        response = client.post(url("inspection_inspectors", a.pk), {"inspectors": [user.pk]})
        assert response.status_code == 400
        assert response.context["inspectors_form"].errors
    response = client.post(url("inspection_inspectors", a.pk), {"inspectors": ["x"]})
    assert response.status_code == 400
    assert not a.inspectors.exists()
    response = client.post(url("inspection_inspectors", a.pk), {"inspectors": [people.charlie.pk]})
    assert response.status_code == 302 and list(a.inspectors.all()) == [people.charlie]
    # Clearing is allowed.
    assert client.post(url("inspection_inspectors", a.pk), {}).status_code == 302
    assert not a.inspectors.exists()


def test_a_finding_becomes_one_problem_of_the_sampled_organization(client_for, people, plans):
    a = plans["A"]
    sample = first_sample(a)
    client = client_for(people.alice)
    response = client.get(url("finding_create", sample.pk))
    assert response.status_code == 200 and response.context["sample"] == sample
    response = client.post(url("finding_create", sample.pk),
                           {"description": "  活动场所挪作他用  ", "severity": "high"}, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    problem = Problem.objects.get()
    assert problem.source == ProblemSource.INSPECTION
    assert problem.organization_id == sample.organization_id
    assert (problem.description, problem.severity, problem.found_by) == ("活动场所挪作他用", "high", people.alice)
    assert InspectionFinding.objects.get().problem == problem
    a.refresh_from_db()
    sample.refresh_from_db()
    assert a.status == InspectionStatus.IN_PROGRESS and sample.inspected_on == timezone.localdate()
    assert reverse("rectification:problem_detail", args=[problem.pk]).encode() in response.content


@pytest.mark.parametrize("data", [{"description": "   ", "severity": "high"},
                                  {"description": "x", "severity": "grave"}, {}])
def test_a_bad_finding_is_refused(client_for, people, plans, data):
    sample = first_sample(plans["A"])
    response = client_for(people.alice).post(url("finding_create", sample.pk), data)
    assert response.status_code == 400 and response.context["form"].errors
    assert not Problem.objects.exists()


def test_a_bad_visit_is_refused(client_for, people, plans):
    sample = first_sample(plans["A"])
    client = client_for(people.alice)
    tomorrow = timezone.localdate() + timedelta(days=1)
    for data in (visit_data(sample, day=tomorrow), {f"s{sample.pk}-inspected_on": "2026-13-40"}, {}):
        response = client.post(url("sample_visit", sample.pk), data)
        assert response.status_code == 400
        shown = {s.pk: s for s in response.context["samples"]}
        assert shown[sample.pk].visit_form.errors
    sample.refresh_from_db()
    assert sample.inspected_on is None


def test_finish_refuses_while_a_sample_is_unvisited(client_for, people, plans):
    a = plans["A"]
    samples = list(a.samples.all())
    client = client_for(people.alice)
    for sample in samples[1:]:
        response = client.post(url("sample_visit", sample.pk), visit_data(sample), follow=True)
        assert [m.level_tag for m in response.context["messages"]] == ["success"]
    response = client.post(url("inspection_finish", a.pk), {"notes": "总体良好"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    a.refresh_from_db()
    assert a.status == InspectionStatus.IN_PROGRESS and a.finished_at is None
    client.post(url("sample_visit", samples[0].pk), visit_data(samples[0]))
    response = client.post(url("inspection_finish", a.pk), {"notes": "总体良好"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == InspectionStatus.DONE and a.notes == "总体良好" and a.finished_at
    page = client.get(url("inspection_detail", a.pk))
    assert url("inspection_finish", a.pk).encode() not in page.content
    assert "总体良好".encode() in page.content


# ---------------------------------------------------------------- 通报


def test_the_bulletin_lists_the_findings_by_committee(client_for, people, plans):
    a, b = plans["A"], plans["B"]
    a_samples = list(a.samples.select_related("organization").order_by("organization__path"))
    high = record(a_samples[0], people.alice, description="支部书记长期空缺", severity=Severity.HIGH)
    low = record(a_samples[1], people.bob, description="公示栏未更新", severity=Severity.LOW)
    b_finding = record(first_sample(b), people.alice, description="党费收缴不及时")
    rect.task_create(problem=high.problem, measure="选配支部书记", responsible_name="李强",
                     by=people.alice, deadline=timezone.localdate() + timedelta(days=30))

    response = client_for(people.alice).get(url("bulletin"))
    assert response.status_code == 200
    groups = {g.committee.code: g for g in response.context["groups"]}
    assert set(groups) == {"A", "B", "TC"}
    assert [f.problem_id for f in groups["A"].findings] == [high.problem_id, low.problem_id]
    assert (groups["A"].inspection.n_findings, groups["A"].inspection.n_high) == (2, 1)
    assert groups["A"].inspection.n_visited == 2
    assert [f.state for f in groups["A"].findings] == ["rectifying", "no_task"]
    assert groups["TC"].findings == []
    assert response.context["totals"]["n_findings"] == 3
    assert reverse("rectification:problem_detail", args=[high.problem_id]).encode() in response.content
    assert b"data-print" in response.content  # static/js/app.js prints (no inline script)

    bob = client_for(people.bob).get(url("bulletin"), {"quarter": QUARTER})
    assert [g.committee.code for g in bob.context["groups"]] == ["A"]
    assert b_finding.problem.description.encode() not in bob.content


def test_the_bulletin_export(client_for, people, plans):
    a, b = plans["A"], plans["B"]
    a_sample = first_sample(a)
    found = record(a_sample, people.alice, description="=HYPERLINK(\"x\")", severity=Severity.HIGH)
    rect.task_create(problem=found.problem, measure="整改", responsible_name="李强", by=people.alice,
                     deadline=timezone.localdate() - timedelta(days=1),
                     starts_on=timezone.localdate() - timedelta(days=10))
    record(first_sample(b), people.alice, description="党费收缴不及时", severity=Severity.LOW)

    title, scope, header, rows = read(client_for(people.alice).get(url("bulletin_export"), {"quarter": QUARTER}))
    assert title == "督查通报（2026年第4季度）"
    assert scope.startswith("范围：东坝镇党委、西湖乡党委、南山镇党委")
    assert header == EXPORT_HEADER
    assert len(rows) == 3
    first = rows[0]
    assert first[:3] == ["东坝镇党委", a_sample.organization.code, a_sample.organization.name]
    assert first[3] in ("后进", "整改逾期", "随机")
    assert first[4].date() == timezone.localdate()
    assert first[5:] == ["=HYPERLINK(\"x\")", "严重", "1项", "整改中（有逾期）"]
    assert rows[1][0] == "西湖乡党委" and rows[1][6:] == ["轻微", "无", "未立任务"]
    assert rows[-1] == ["合计", None, None, None, None, "共2个问题", None, None, None]

    _t, scope, _h, rows = read(client_for(people.bob).get(url("bulletin_export")))
    assert scope.startswith("范围：东坝镇党委")
    assert [r[0] for r in rows] == ["东坝镇党委", "合计"]


# ---------------------------------------------------------------- query counts


@pytest.fixture(params=[(3, 0, 0), (12, 3, 3)], ids=["small", "large"])
def sized(request, county, people, town_c):
    """Plans at two sizes: branches per committee, extra committees, findings per sample."""
    branches, committees, findings = request.param
    plans = plan(county, branches=branches, committees=committees)
    helper = UserFactory(username="helper2")
    AssignmentFactory(user=helper, organization=county.town_a, role=Role.VIEWER)
    for inspection in plans.values():
        inspection.inspectors.add(people.victor, helper)
        for sample in inspection.samples.select_related("organization", "inspection"):
            for n in range(findings):
                finding = record(sample, people.alice, description=f"问题{n}",
                                 severity=Severity.HIGH if n % 2 else Severity.LOW)
                if n == 0:
                    rect.task_create(problem=finding.problem, measure="整改", responsible_name="李强",
                                     by=people.alice, deadline=timezone.localdate())
    return plans


@pytest.mark.parametrize("name", ["alice", "bob", "victor"])
def test_list_queries(client_for, people, sized, name, django_assert_max_num_queries):
    client = client_for(getattr(people, name))
    # 1-3 session, user, grants; 4 the quarters; 5 the inspections with counts;
    # 6 their inspectors.
    with django_assert_max_num_queries(6):
        response = client.get(url("inspection_list"))
    assert response.status_code == 200 and response.context["inspections"]


@pytest.mark.parametrize("name", ["alice", "victor"])
def test_detail_queries(client_for, people, sized, name, django_assert_max_num_queries):
    client = client_for(getattr(people, name))
    # 1-3 session, user, grants; 4 the inspection; 5 whether the user inspects it;
    # 6 the sample; 7 its findings with problems and task figures; 8 the inspectors;
    # 9 the inspector choices (county staff only).
    with django_assert_max_num_queries(9):
        response = client.get(url("inspection_detail", sized["A"].pk))
    assert response.status_code == 200 and response.context["samples"]


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_bulletin_queries(client_for, people, sized, name, django_assert_max_num_queries):
    client = client_for(getattr(people, name))
    # 1-3 session, user, grants; 4 the quarters; 5 the inspections with figures;
    # 6 the findings with organizations, problems and task figures.
    with django_assert_max_num_queries(6):
        response = client.get(url("bulletin"))
    assert response.status_code == 200 and response.context["groups"]


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_export_queries(client_for, people, sized, name, django_assert_max_num_queries):
    client = client_for(getattr(people, name))
    # 1-3 session, user, grants; 4 the inspections with figures; 5 the findings.
    with django_assert_max_num_queries(5):
        response = client.get(url("bulletin_export"), {"quarter": QUARTER})
    expected = InspectionFinding.objects.filter(
        sample__inspection__committee__path__startswith="" if name == "alice" else sized["A"].committee.path
    ).count()
    assert len(read(response)[3]) == expected + 1
