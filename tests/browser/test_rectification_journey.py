"""Issue 5 in a real browser on the demo county: a returned-then-accepted assessment with
failed items shows its problems; the committee turns two into tasks with owners and
deadlines; the secretary reports progress with a photo from a phone; the checker rejects one
closing and accepts the other; the wall chart and the four lists show it; the exports open."""

import re
import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from assessments import demo as demo_campaign
from assessments import services as cycle
from assessments.models import Assessment, Evidence
from orgs.models import User
from rectification.models import RectificationTask, TaskStatus
from standards.models import ItemKind

from ..factories import SEEDED_CATEGORIES, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BRANCH = "QH02-002"


def png_bytes():
    """A real 1×1 PNG (the upload check reads the signature)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def accepted_with_failures(db):
    """The demo secretary's branch, failed on two check items, returned once, then accepted."""
    for code in SEEDED_CATEGORIES:
        category(code)
    call_command("load_demo", verbosity=0)
    secretary, committee, county = (User.objects.get(username=n) for n in ("secretary", "committee", "county"))
    assessment = Assessment.objects.get(organization__code=BRANCH, campaign__name=demo_campaign.NAME,
                                        campaign__year=demo_campaign.YEAR)
    cycle.assessment_open(assessment=assessment)
    answers, failed = {}, 0
    for r in assessment.responses.select_related("item__standard_set"):
        item = r.item
        if item.kind == ItemKind.CHECK:
            bad = failed < 2 and not item.is_veto
            failed += bad
            answers[item.pk] = {"value": "false" if bad else "true"}
        elif item.kind == ItemKind.NUMBER:
            answers[item.pk] = {"value": "0" if item.comparator in ("<=", "<") else str(item.threshold * 2)}
        elif item.kind == ItemKind.GRADED:
            answers[item.pk] = {"value": item.standard_set.grade_levels[0]["label"]}
        else:
            answers[item.pk] = {"text": "已落实。"}
        if item.evidence_required and not r.evidence.exists():
            Evidence.objects.create(response=r, file=ContentFile(b"%PDF-1.4", name="x.pdf"),
                                    original_name="x.pdf", content_type="application/pdf", size=8,
                                    sha256="0" * 64, uploaded_by=secretary)
    cycle.assessment_save(assessment=assessment, by=secretary, answers=answers)
    cycle.assessment_submit(assessment=assessment, by=secretary)
    cycle.assessment_return(assessment=assessment, by=committee, reason="补充材料")
    cycle.assessment_submit(assessment=assessment, by=secretary)
    texts = assessment.responses.filter(item__kind="text").values_list("item_id", flat=True)
    cycle.reviewer_save(assessment=assessment, by=committee, values={pk: {"value": "1"} for pk in texts})
    cycle.assessment_approve(assessment=assessment, by=committee)
    cycle.assessment_accept(assessment=assessment, by=county)
    return assessment


def test_problems_become_checked_work(accepted_with_failures, desktop_page, phone_page, login,
                                      live_server, tmp_path):
    assessment = accepted_with_failures
    staff = desktop_page
    staff.on("dialog", lambda d: d.accept())
    login(staff, "committee", "demo-committee-2026")

    # The accepted assessment lists its problems (made now rather than by the hourly job).
    staff.goto(f"{live_server.url}/assessments/a/{assessment.pk}/")
    staff.get_by_test_id("generate-form").locator("button").click()
    staff.wait_for_load_state("networkidle")
    problems = staff.get_by_test_id("assessment-problem")
    assert problems.count() >= 2
    staff.shot("problems")

    # The committee turns two of them into tasks with owners and deadlines.
    links = [problems.nth(i).locator("a").first.get_attribute("href") for i in range(2)]
    for n, href in enumerate(links):
        staff.goto(f"{live_server.url}{href}")
        form = staff.get_by_test_id("task-form")
        form.locator("[name=measure]").fill(f"整改措施{n + 1}：补齐台账")
        form.locator("[name=responsible_name]").fill("傅敏")
        form.locator("[name=leader_name]").fill("李强")
        form.locator("button[type=submit]").click()
        staff.wait_for_load_state("networkidle")
    tasks = list(RectificationTask.objects.filter(organization__code=BRANCH, measure__startswith="整改措施").order_by("measure"))
    assert len(tasks) == 2 and all(t.deadline for t in tasks)

    # The secretary reports progress with a photo from a phone and asks to close.
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(png_bytes())
    phone = phone_page
    phone.on("dialog", lambda d: d.accept())
    login(phone, "secretary", "demo-secretary-2026")
    for task in tasks:
        phone.goto(f"{live_server.url}/rectification/tasks/{task.pk}/")
        report = phone.get_by_test_id("report-form")
        report.locator("[name=text]").fill("已补齐会议记录并张贴公示")
        report.locator("[name=progress]").fill("100")
        phone.get_by_test_id("report-file").set_input_files(str(photo))
        phone.get_by_test_id("report-submit").click()
        phone.wait_for_load_state("networkidle")
        expect(phone.get_by_test_id("update-image").first).to_be_visible()
        phone.get_by_test_id("close-submit").click()
        phone.wait_for_load_state("networkidle")
        task.refresh_from_db()
        assert task.status == TaskStatus.AWAITING_CHECK
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    phone.shot("reported")

    # The checker rejects one closing and accepts the other.
    for task, decision in zip(tasks, ("reject", "accept"), strict=True):
        staff.goto(f"{live_server.url}/rectification/tasks/{task.pk}/")
        check = staff.get_by_test_id("check-form")
        check.locator(f"[name=decision][value={decision}]").check()
        check.locator("[name=comment]").fill("照片不清晰，请补拍" if decision == "reject" else "资料齐全")
        staff.get_by_test_id("check-submit").click()
        staff.wait_for_load_state("networkidle")
    for task in tasks:
        task.refresh_from_db()
    assert [t.status for t in tasks] == [TaskStatus.IN_PROGRESS, TaskStatus.CLOSED]
    staff.shot("checked")

    # The wall chart and the four lists show it all.
    staff.goto(f"{live_server.url}/rectification/wall-chart/?status=&closed=1")
    expect(staff.locator("body")).to_contain_text("整改措施1")
    staff.shot("wall-chart")
    for path, text in [("problems/", "柳树村"), ("tasks/", "整改措施2"),
                       ("tasks/by-person/", "傅敏"), ("tasks/by-status/", "东坝镇")]:
        staff.goto(f"{live_server.url}/rectification/{path}")
        expect(staff.locator("main")).to_contain_text(text)

    # The exports open in Excel (read back with openpyxl).
    for path in ["problems/export.xlsx", "tasks/export.xlsx?view=tasks",
                 "tasks/export.xlsx?view=person", "tasks/export.xlsx?view=status", "wall-chart.xlsx"]:
        response = staff.request.get(f"{live_server.url}/rectification/{path}")
        assert response.status == 200, path
        sheet = load_workbook(BytesIO(response.body()), read_only=True).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert any(re.search("东坝镇|柳树村|傅敏", c) for c in cells), path
