"""The problem and task pages: from an accepted assessment's problems to a checked and
closed task (对账销号), through the pages as the people would do it; refusals, scope
(404 outside, 403 where visible but not allowed) and query counts at two sizes."""

import struct
import zlib
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectification import services
from rectification.models import (
    Problem,
    ProblemSource,
    RectificationTask,
    TaskCheck,
    TaskStatus,
    TaskUpdate,
)

from ..assessments.campaign_builders import other_county

pytestmark = pytest.mark.django_db


def png_bytes():
    """A real 1×1 red PNG: signature, IHDR, a zlib-compressed IDAT, IEND."""
    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def url(name, *args):
    return reverse(f"rectification:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def report(client, task, text="已召开党员大会", progress=50, file=None):
    data = {"text": text, "progress": progress}
    if file is not None:
        data["file"] = file
    return client.post(url("task_report", task.pk), data)


# ---------------------------------------------------------------- the whole flow


def test_from_the_assessment_to_a_closed_task(client_for, people, accepted_a1, media):
    # bob (town A's committee) opens the accepted assessment: no problems yet, a button.
    client = client_for(people.bob)
    page = client.get(reverse("assessments:assessment_detail", args=[accepted_a1.pk]))
    assert 'data-testid="problems-panel"' in page.content.decode()
    assert 'data-testid="generate"' in page.content.decode()
    response = client.post(url("generate_problems", accepted_a1.pk), follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:assessment_detail",
                                                     args=[accepted_a1.pk])
    assert any("3" in m for m in messages_of(response))
    assert response.content.decode().count('data-testid="assessment-problem"') == 3
    # Pressing again makes nothing new.
    client.post(url("generate_problems", accepted_a1.pk))
    assert Problem.objects.filter(assessment=accepted_a1).count() == 3

    # The veto item's problem: its page, with the task form and the 倒排 deadline.
    problem = Problem.objects.get(assessment=accepted_a1, item__code="ZB-01")
    assert "E+" not in problem.description and problem.description.endswith("10）")
    page = client.get(url("problem_detail", problem.pk))
    assert page.status_code == 200
    assert page.context["task_form"]["deadline"].value() == services.default_deadline(problem)
    starts = timezone.localdate()
    response = client.post(url("task_create", problem.pk), {
        "measure": "召开党员大会补选支部书记", "responsible": people.dave.pk, "responsible_name": "",
        "leader_name": "李强", "starts_on": starts.isoformat(),
        "deadline": (starts + timedelta(days=30)).isoformat(),
    })
    task = RectificationTask.objects.get(problem=problem)
    assert response.status_code == 302 and response.url == url("task_detail", task.pk)
    assert task.responsible == people.dave and task.responsible_name == people.dave.display_name
    assert task.organization_id == accepted_a1.organization_id and task.created_by == people.bob

    # dave, the secretary, reports from his phone with a photo.
    client = client_for(people.dave)
    page = client.get(url("task_detail", task.pk))
    assert page.context["access"].can_report and not page.context["access"].can_check
    assert 'accept="image/*,.pdf,.docx,.xlsx"' in page.content.decode()
    photo = SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")
    response = report(client, task, progress=80, file=photo)
    assert response.status_code == 302
    update = TaskUpdate.objects.get(task=task)
    assert update.original_name == "现场照片.png" and update.content_type == "image/png"
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.progress == 80
    page = client.get(url("task_detail", task.pk))
    assert 'data-testid="update-image"' in page.content.decode()
    served = client.get(url("update_file", update.pk))
    assert served.status_code == 200 and b"".join(served.streaming_content) == png_bytes()
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"

    # dave asks for the check; he cannot check it himself.
    assert client.post(url("task_request_close", task.pk), {"text": "已完成"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_CHECK and task.progress == 100
    assert client.post(url("task_check", task.pk), {"decision": "accept"}).status_code == 403

    # bob rejects: a reason is required, then the task is back in progress.
    client = client_for(people.bob)
    page = client.get(url("task_detail", task.pk))
    assert page.context["access"].can_check
    response = client.post(url("task_check", task.pk), {"decision": "reject", "comment": " "})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_CHECK and not task.checks.exists()
    response = client.post(url("task_check", task.pk),
                           {"decision": "reject", "comment": "缺少会议记录"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS

    # dave adds the minutes and asks again; bob accepts: closed (销号).
    client = client_for(people.dave)
    document = SimpleUploadedFile("会议记录.pdf", PDF, content_type="application/pdf")
    assert report(client, task, text="补充会议记录", progress=100, file=document).status_code == 302
    assert client.post(url("task_request_close", task.pk), {"text": ""}).status_code == 302
    client = client_for(people.bob)
    assert client.post(url("task_check", task.pk),
                       {"decision": "accept", "comment": "资料齐全"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and task.closed_at is not None
    assert [c.accepted for c in task.checks.all()] == [False, True]

    page = client.get(url("task_detail", task.pk))
    body = page.content.decode()
    assert body.count('data-testid="check"') == 2 and body.count('data-testid="update"') == 2
    assert 'data-testid="history-row" data-status="closed"' in body
    assert not page.context["can_edit"] and 'data-testid="report-card"' not in body
    pdf_update = TaskUpdate.objects.get(task=task, content_type="application/pdf")
    served = client.get(url("update_file", pdf_update.pk))
    assert served["Content-Disposition"].startswith("attachment")
    # A closed task is a record: not edited, not reported on.
    assert client.get(url("task_edit", task.pk)).status_code == 400
    assert report(client, task).status_code == 400
    assert task.updates.count() == 2

    # The assessment page now counts the closed task.
    page = client.get(reverse("assessments:assessment_detail", args=[accepted_a1.pk]))
    [row] = [p for p in page.context["panels"][0][1]["problems"] if p.pk == problem.pk]
    assert (row.task_count, row.closed_count) == (1, 1)


def test_the_org_page_lists_open_tasks_and_problems(client_for, people, county, task):
    body = client_for(people.bob).get(reverse("orgs:detail", args=[county.town_a.pk])).content.decode()
    assert 'data-testid="rectification-panel"' in body and task.measure in body
    assert body.count('data-testid="panel-problem"') == 3
    assert reverse("rectification:problem_create") + f"?org={county.town_a.pk}" in body
    # The committee next door sees its own town, without A1's rows.
    body = client_for(people.charlie).get(reverse("orgs:detail", args=[county.town_b.pk])).content.decode()
    assert task.measure not in body and 'data-testid="panel-task"' not in body


# ---------------------------------------------------------------- refusals


def test_a_lying_photo_is_refused_and_nothing_is_stored(client_for, people, task, media):
    client = client_for(people.dave)
    fake = SimpleUploadedFile("photo.png", HTML, content_type="image/png")
    response = report(client, task, file=fake)
    assert response.status_code == 400
    assert any("PNG" in m for m in messages_of(response))
    assert not TaskUpdate.objects.exists() and files_in(media) == []
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.progress == 0


@pytest.mark.parametrize("name, content", [("run.exe", b"MZ" + bytes(40)), ("empty.pdf", b"")])
def test_other_bad_files_are_refused(client_for, people, task, media, name, content):
    response = report(client_for(people.dave), task, file=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert not TaskUpdate.objects.exists() and files_in(media) == []


def test_a_file_over_the_limit_is_dropped_unread(client_for, people, task, media, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    response = report(client_for(people.dave), task,
                      file=SimpleUploadedFile("big.pdf", PDF + bytes(200)))
    assert response.status_code == 400
    assert not TaskUpdate.objects.exists() and files_in(media) == []


@pytest.mark.parametrize("data", [
    {"text": "", "progress": 50},
    {"text": "做了", "progress": 101},
    {"text": "做了", "progress": "多"},
])
def test_a_bad_report_changes_nothing(client_for, people, task, data):
    response = client_for(people.dave).post(url("task_report", task.pk), data)
    assert response.status_code == 400
    assert not TaskUpdate.objects.exists()


def test_closing_needs_a_report_first(client_for, people, task):
    response = client_for(people.dave).post(url("task_request_close", task.pk), {})
    assert response.status_code == 400
    assert any("Report" in m or "报告" in m or "汇报" in m for m in messages_of(response))
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_checking_a_task_not_waiting_for_it_is_refused(client_for, people, task):
    response = client_for(people.bob).post(url("task_check", task.pk), {"decision": "accept"})
    assert response.status_code == 400
    assert not TaskCheck.objects.exists()


def test_a_bad_task_changes_nothing(client_for, people, problems):
    client = client_for(people.bob)
    response = client.post(url("task_create", problems[0].pk), {
        "measure": "整改", "responsible_name": "", "starts_on": "2026-11-10",
        "deadline": "2026-11-01",
    })
    assert response.status_code == 400
    form = response.context["task_form"]
    assert "responsible_name" in form.errors and "deadline" in form.errors
    assert not RectificationTask.objects.exists()
    # A user outside the organization's scope cannot be named responsible.
    response = client.post(url("task_create", problems[0].pk), {
        "measure": "整改", "responsible": "999999", "responsible_name": "某人",
        "starts_on": "2026-11-10", "deadline": "2026-12-01",
    })
    assert response.status_code == 400 and not RectificationTask.objects.exists()


def test_responsible_candidates_are_people_who_see_the_organization(people, county):
    from rectification.selectors_work import responsible_candidates

    names = {u.username for u in responsible_candidates(county.branch_a1)}
    assert names == {"alice", "bob", "dave", "victor"}


def test_edit_a_task(client_for, people, task):
    client = client_for(people.bob)
    page = client.get(url("task_edit", task.pk))
    assert page.status_code == 200 and page.context["form"]["measure"].value() == task.measure
    data = {"measure": "召开党员大会", "responsible": "", "responsible_name": "陈书记",
            "leader_name": "李强", "starts_on": "2026-11-01", "deadline": "2027-01-15"}
    assert client.post(url("task_edit", task.pk), data).status_code == 302
    task.refresh_from_db()
    assert task.deadline == date(2027, 1, 15) and task.responsible is None
    assert task.history.first().history_user == people.bob
    bad = {**data, "deadline": "2026-10-01"}
    assert client.post(url("task_edit", task.pk), bad).status_code == 400
    task.refresh_from_db()
    assert task.deadline == date(2027, 1, 15)


def test_problem_by_hand(client_for, people, county, accepted_a1):
    client = client_for(people.bob)
    page = client.get(url("problem_create") + f"?org={county.branch_a1.pk}")
    assert page.status_code == 200 and page.context["form"]["organization"].value() == "A1"
    response = client.post(url("problem_create"), {
        "organization": "A1", "description": "党员活动室挂牌不规范", "severity": "low",
        "item": "ZD-01", "found_on": "2026-11-01",
    })
    problem = Problem.objects.get(source=ProblemSource.MANUAL)
    assert response.status_code == 302 and response.url == url("problem_detail", problem.pk)
    assert problem.item.code == "ZD-01" and problem.found_by == people.bob
    assert problem.organization == county.branch_a1 and problem.severity == "low"


@pytest.mark.parametrize("over", [
    {"organization": "B1"},  # the town next door: not bob's
    {"organization": "NOPE"},
    {"item": "ZZ-99"},
    {"description": "  "},
    {"found_on": "2099-01-01"},
    {"severity": "fatal"},
])
def test_a_bad_problem_changes_nothing(client_for, people, accepted_a1, over):
    data = {"organization": "A1", "description": "问题", "severity": "low", "item": "",
            "found_on": "2026-11-01", **over}
    response = client_for(people.bob).post(url("problem_create"), data)
    assert response.status_code == 400
    assert not Problem.objects.exists()


# ---------------------------------------------------------------- scope


@pytest.fixture
def awaiting(task, people, media):
    services.task_report(task=task, by=people.dave, text="已完成", progress=90,
                         upload=SimpleUploadedFile("p.png", png_bytes()))
    services.task_request_close(task=task, by=people.dave)
    task.refresh_from_db()
    return task


def _targets(task):
    update = task.updates.get()
    assessment = task.problem.assessment
    return {
        "problem_detail": ("get", url("problem_detail", task.problem_id)),
        "task_create": ("post", url("task_create", task.problem_id)),
        "generate_problems": ("post", url("generate_problems", assessment.pk)),
        "task_detail": ("get", url("task_detail", task.pk)),
        "task_edit": ("get", url("task_edit", task.pk)),
        "task_report": ("post", url("task_report", task.pk)),
        "task_request_close": ("post", url("task_request_close", task.pk)),
        "task_check": ("post", url("task_check", task.pk)),
        "update_file": ("get", url("update_file", update.pk)),
    }


def _hit(client, method, target):
    return getattr(client, method)(target, {"decision": "accept"} if method == "post" else None)


def test_anonymous_is_sent_to_log_in(client, awaiting):
    for name, (method, target) in [*_targets(awaiting).items(),
                                    ("problem_create", ("get", url("problem_create")))]:
        response = _hit(client, method, target)
        assert response.status_code == 302 and "login" in response.url, name


@pytest.mark.parametrize("who", ["charlie", "erin", "nobody", "zoe"])
def test_outside_the_scope_is_404(client_for, people, awaiting, who):
    user = other_county().zoe if who == "zoe" else getattr(people, who)
    client = client_for(user)
    for name, (method, target) in _targets(awaiting).items():
        assert _hit(client, method, target).status_code == 404, name


def test_viewer_reads_but_writes_nothing(client_for, people, awaiting):
    client = client_for(people.victor)
    expected = {"problem_detail": 200, "task_detail": 200, "update_file": 200}
    for name, (method, target) in _targets(awaiting).items():
        assert _hit(client, method, target).status_code == expected.get(name, 403), name
    assert client.get(url("problem_create")).status_code == 403
    page = client.get(url("task_detail", awaiting.pk))
    access = page.context["access"]
    assert not (access.can_manage or access.can_report or access.can_check)
    assert awaiting.checks.count() == 0


def test_the_secretary_reports_but_does_not_manage_or_check(client_for, people, awaiting):
    client = client_for(people.dave)
    expected = {"problem_detail": 200, "task_detail": 200, "update_file": 200,
                # The role allows it; the status does not (waiting for its check).
                "task_report": 400, "task_request_close": 400}
    for name, (method, target) in _targets(awaiting).items():
        assert _hit(client, method, target).status_code == expected.get(name, 403), name
    assert client.get(url("problem_create")).status_code == 403


def test_the_responsible_person_cannot_check_their_own_task(client_for, people, problems, media):
    task = services.task_create(problem=problems[0], measure="整改", responsible=people.bob,
                                responsible_name="李强", by=people.alice)
    services.task_report(task=task, by=people.bob, text="已完成", progress=100)
    services.task_request_close(task=task, by=people.bob)
    client = client_for(people.bob)
    assert not client.get(url("task_detail", task.pk)).context["access"].can_check
    assert client.post(url("task_check", task.pk), {"decision": "accept"}).status_code == 403
    assert client_for(people.alice).post(
        url("task_check", task.pk), {"decision": "accept"}).status_code == 302


def test_problem_create_for_an_org_out_of_reach(client_for, people, county):
    client = client_for(people.bob)
    assert client.get(url("problem_create") + f"?org={county.branch_b1.pk}").status_code == 404
    assert client.get(url("problem_create") + "?org=abc").status_code == 404
    # dave's branch seen by dave, but he does not manage it.
    assert client_for(people.dave).get(
        url("problem_create") + f"?org={county.branch_a1.pk}").status_code == 403


def test_generate_problems_only_from_a_reviewed_assessment(client_for, people, a1):
    response = client_for(people.bob).post(url("generate_problems", a1.pk))
    assert response.status_code == 400 and not Problem.objects.exists()


@pytest.mark.parametrize("name", ["task_create", "task_report", "task_request_close", "task_check",
                                  "generate_problems"])
def test_post_only_urls_refuse_get(client_for, people, task, name):
    pk = task.problem.assessment_id if name == "generate_problems" else (
        task.problem_id if name == "task_create" else task.pk)
    assert client_for(people.bob).get(url(name, pk)).status_code == 405


def test_an_update_without_a_file_is_404(client_for, people, task):
    update = services.task_report(task=task, by=people.dave, text="做了", progress=10)
    assert client_for(people.dave).get(url("update_file", update.pk)).status_code == 404


# ---------------------------------------------------------------- query counts


@pytest.fixture(params=[2, 60], ids=lambda n: f"{n}rows")
def busy_task(request, task, people):
    """A task with n progress reports and n checks, and n more tasks on its problem (bulk)."""
    n = request.param
    TaskUpdate.objects.bulk_create(
        TaskUpdate(task=task, text=f"第{i}次", progress=i % 100, by=people.dave) for i in range(n))
    TaskCheck.objects.bulk_create(
        TaskCheck(task=task, accepted=False, comment=f"退回{i}", by=people.bob) for i in range(n))
    RectificationTask.objects.bulk_create(
        RectificationTask(problem=task.problem, organization_id=task.organization_id,
                          measure=f"措施{i}", responsible_name="陈书记", deadline=date(2026, 12, 1),
                          created_by=people.bob, responsible=people.dave)
        for i in range(n))
    for i in range(min(n, 55)):  # history rows beyond the 50 shown
        task.progress = i
        task.save()
    return task


def test_task_detail_queries(client_for, people, busy_task, django_assert_max_num_queries):
    client = client_for(people.dave)
    # 1-3 session, user, grants; 4 the task with organization, problem and responsible
    # (scope check); 5 the reports with who; 6 the checks with who; 7 the latest history
    # records with who.
    with django_assert_max_num_queries(7):
        response = client.get(url("task_detail", busy_task.pk))
    assert response.status_code == 200


def test_problem_detail_queries(client_for, people, busy_task, django_assert_max_num_queries):
    client = client_for(people.bob)
    # 1-3 session, user, grants; 4 the problem with organization, item, assessment and
    # campaign, finding, finder (scope check); 5 the campaign's last phase for the 倒排
    # deadline; 6 the tasks with their responsible users; 7 the users for the
    # responsible-person select.
    with django_assert_max_num_queries(7):
        response = client.get(url("problem_detail", busy_task.problem_id))
    assert response.status_code == 200
    assert len(response.context["tasks"]) == RectificationTask.objects.count()


@pytest.fixture(params=[1, 60], ids=lambda n: f"{n}problems")
def many_problems(request, problems, accepted_a1, people):
    """The assessment's problems and `n` tasks on each of its first problems."""
    for problem in problems:
        RectificationTask.objects.bulk_create(
            RectificationTask(problem=problem, organization_id=problem.organization_id,
                              measure=f"措施{i}", responsible_name="陈书记",
                              deadline=date(2026, 1, 1) if i % 2 else date(2027, 1, 1),
                              status=TaskStatus.CLOSED if i % 3 == 0 else TaskStatus.OPEN,
                              created_by=people.bob)
            for i in range(request.param))
    return accepted_a1


def test_assessment_page_with_the_panel_queries(client_for, people, many_problems,
                                                django_assert_max_num_queries):
    client = client_for(people.bob)
    # The assessment page's eight (tests/assessments/test_review.py) and 9 the
    # assessment's problems with their task counts (rectification/panels.py).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("assessments:assessment_detail", args=[many_problems.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="assessment-problem"') == 3
