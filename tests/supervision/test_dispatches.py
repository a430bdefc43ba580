"""月调度 pages (supervision/views/dispatches.py): the board, one dispatch, writing and
submitting it, sending it back, and both Excel files — scoped, never a 500, and a fixed
number of queries at 2 and 12 committees."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funding import services as money
from orgs.models import Level
from supervision import dispatch as dispatch_job
from supervision import excel_dispatches, services
from supervision.dispatch import MONEY_LINES, SECTIONS
from supervision.models import Dispatch, DispatchStatus
from supervision.selectors_dispatches import ALL_LINES, parse_month

from ..factories import OrganizationFactory, add_many_branches
from .conftest import DAY

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
POSTS = ["dispatch_notes", "dispatch_submit", "dispatch_recompile", "dispatch_reopen"]


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


@pytest.fixture
def dispatches(county, people, tasks):
    """October's dispatches of towns A and B (DAY is in November), with money in A's."""
    money.load_policies(county=county.county, by=people.alice)
    money.generate_allocations(root=county.county, year=2026, by=people.alice)
    allocation = county.branch_a1.funding_allocations.get(policy__code="village-operating")
    money.disbursement_record(allocation=allocation, by=people.bob, paid_on=date(2026, 10, 9),
                              amount=Decimal("1234.56"), voucher_no="V-10")
    dispatch_job.compile_dispatches(DAY)
    return {
        "a": Dispatch.objects.get(committee=county.town_a),
        "b": Dispatch.objects.get(committee=county.town_b),
    }


def read(response):
    """(title, scope line, header, data rows) of the first sheet."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return ws, rows[0][0], rows[1][0], rows[2], rows[3:]


def board_codes(response):
    assert response.status_code == 200
    return sorted(row.dispatch.committee.code for row in response.context["rows"])


# ---------------------------------------------------------------- scoping


def test_board_shows_every_committee_to_county_staff(client_for, people, dispatches):
    response = client_for(people.alice).get(url("dispatch_board"))
    assert board_codes(response) == ["A", "B"]
    assert response.context["period"] == OCTOBER
    assert response.context["months"] == [OCTOBER]
    assert response.context["summary"]["total"] == 2
    content = response.content.decode()
    assert url("dispatch_detail", dispatches["a"].pk) in content
    assert url("dispatch_detail", dispatches["b"].pk) in content
    assert f'{url("dispatch_board_export")}?month=2026-10' in content
    assert 'data-testid="tab-jobs"' in content  # county staff see the job tab


@pytest.mark.parametrize("who, codes", [("bob", ["A"]), ("charlie", ["B"]), ("victor", ["A"]),
                                        ("root", ["A", "B"])])
def test_board_is_scoped(client_for, people, dispatches, who, codes):
    response = client_for(getattr(people, who)).get(url("dispatch_board"))
    assert board_codes(response) == codes
    assert ('data-testid="tab-jobs"' in response.content.decode()) == (who == "root")


@pytest.mark.parametrize("who", ["dave", "harry", "erin", "nobody"])
@pytest.mark.parametrize("name", ["dispatch_board", "dispatch_board_export"])
def test_board_refuses_who_has_no_reading_role(client_for, people, dispatches, who, name):
    assert client_for(getattr(people, who)).get(url(name)).status_code == 403


@pytest.mark.parametrize("who", ["dave", "harry", "erin", "nobody"])
@pytest.mark.parametrize("name", ["dispatch_detail", "dispatch_export"])
def test_details_are_out_of_scope_below_the_committee(client_for, people, dispatches, who, name):
    client = client_for(getattr(people, who))
    assert client.get(url(name, dispatches["a"].pk)).status_code == 404


@pytest.mark.parametrize("name", ["dispatch_detail", "dispatch_export"])
def test_committee_staff_read_their_own_dispatch_only(client_for, people, dispatches, name):
    client = client_for(people.bob)
    assert client.get(url(name, dispatches["a"].pk)).status_code == 200
    assert client.get(url(name, dispatches["b"].pk)).status_code == 404
    assert client_for(people.charlie).get(url(name, dispatches["a"].pk)).status_code == 404


@pytest.mark.parametrize("name", POSTS)
def test_out_of_scope_writers_get_404(client_for, people, dispatches, name):
    client = client_for(people.bob)
    assert client.post(url(name, dispatches["b"].pk), {"notes": "x", "reason": "x"}).status_code == 404
    assert client_for(people.dave).post(url(name, dispatches["a"].pk), {"notes": "x"}).status_code == 404


@pytest.mark.parametrize("name", POSTS)
def test_a_viewer_reads_but_cannot_write(client_for, people, dispatches, name):
    client = client_for(people.victor)
    response = client.get(url("dispatch_detail", dispatches["a"].pk))
    assert response.status_code == 200
    assert response.context["access"].can_write is False
    assert 'data-testid="notes-form"' not in response.content.decode()
    assert client.post(url(name, dispatches["a"].pk), {"notes": "看看", "reason": "r"}).status_code == 403
    a = Dispatch.objects.get(pk=dispatches["a"].pk)
    assert (a.notes, a.status) == ("", DispatchStatus.DRAFT)


def test_a_submitted_dispatch_can_be_sent_back_by_county_staff_only(client_for, people, dispatches):
    services.dispatch_submit(dispatch=dispatches["a"], by=people.bob, notes="十月工作")
    for who in ("bob", "victor"):
        response = client_for(getattr(people, who)).post(url("dispatch_reopen", dispatches["a"].pk),
                                                         {"reason": "再看看"})
        assert response.status_code == 403
    assert Dispatch.objects.get(pk=dispatches["a"].pk).status == DispatchStatus.SUBMITTED


def test_anonymous_is_sent_to_login(client, dispatches):
    pk = dispatches["a"].pk
    for target in [url("dispatch_board"), url("dispatch_board_export"), url("dispatch_detail", pk),
                   url("dispatch_export", pk)]:
        response = client.get(target)
        assert response.status_code == 302 and "/login" in response["Location"]
    for name in POSTS:
        response = client.post(url(name, pk), {"notes": "x"})
        assert response.status_code == 302 and "/login" in response["Location"]
    assert Dispatch.objects.get(pk=pk).notes == ""


@pytest.mark.parametrize("name", POSTS)
def test_writes_are_post_only(client_for, people, dispatches, name):
    assert client_for(people.alice).get(url(name, dispatches["a"].pk)).status_code == 405


@pytest.mark.parametrize("name", ["dispatch_detail", "dispatch_export"])
def test_reads_are_get_only(client_for, people, dispatches, name):
    client = client_for(people.alice)
    assert client.post(url(name, dispatches["a"].pk)).status_code == 405
    assert client.post(url("dispatch_board")).status_code == 405
    assert client.post(url("dispatch_board_export")).status_code == 405


def test_an_unknown_dispatch_is_404(client_for, people, dispatches):
    client = client_for(people.alice)
    assert client.get(url("dispatch_detail", 999999)).status_code == 404
    assert client.get(url("dispatch_export", 999999)).status_code == 404
    assert client.post(url("dispatch_submit", 999999), {"notes": "x"}).status_code == 404
    assert client.get("/supervision/dispatches/abc/").status_code == 404


# ---------------------------------------------------------------- the board


@pytest.mark.parametrize("month", ["abc", "2026-13", "2026-00", "1-2", "99999-01", "2026-10-01",
                                   "../../etc", "2026-10\x00", "x" * 5000])
def test_a_bad_month_falls_back_to_the_latest_with_a_message(client_for, people, dispatches, month):
    client = client_for(people.alice)
    response = client.get(url("dispatch_board"), {"month": month})
    assert response.status_code == 200
    assert response.context["period"] == OCTOBER
    assert len(list(response.context["messages"])) == 1
    _ws, _t, _s, _h, rows = read(client.get(url("dispatch_board_export"), {"month": month}))
    assert [r[0] for r in rows] == ["东坝镇党委", "西湖乡党委", "合计"]


def test_a_month_without_dispatches_falls_back_too(client_for, people, dispatches):
    response = client_for(people.alice).get(url("dispatch_board"), {"month": "2025-03"})
    assert response.status_code == 200 and response.context["period"] == OCTOBER
    assert [str(m) for m in response.context["messages"]][0]


def test_the_month_picker_lists_months_with_dispatches(client_for, people, dispatches, county):
    Dispatch.objects.create(committee=county.town_a, period=date(2026, 9, 1), due_on=date(2026, 10, 10),
                            figures=dispatch_job.empty_figures(), compiled_at=timezone.now())
    client = client_for(people.charlie)
    assert client.get(url("dispatch_board")).context["months"] == [OCTOBER]  # B has no September
    client = client_for(people.alice)
    response = client.get(url("dispatch_board"))
    assert response.context["months"] == [OCTOBER, date(2026, 9, 1)]
    assert response.context["period"] == OCTOBER
    response = client.get(url("dispatch_board"), {"month": "2026-09"})
    assert board_codes(response) == ["A"]
    assert not list(response.context["messages"])


def test_the_board_with_no_dispatch_at_all(client_for, people, county):
    response = client_for(people.alice).get(url("dispatch_board"), {"month": "2026-10"})
    assert response.status_code == 200
    assert response.context["period"] is None and response.context["rows"] == []
    assert 'data-testid="empty"' in response.content.decode()
    _ws, title, _s, _h, rows = read(client_for(people.alice).get(url("dispatch_board_export")))
    assert title == "月调度汇总表" and rows == [["合计", "已提交 0/0", None, None, "0个"]
                                             + [Decimal(0) if p in MONEY_LINES else 0 for p in ALL_LINES]]


def test_the_board_figures_and_summary(client_for, people, dispatches):
    a, b = dispatches["a"], dispatches["b"]
    services.dispatch_submit(dispatch=a, by=people.bob, notes="十月工作")
    response = client_for(people.alice).get(url("dispatch_board"))
    rows = {row.dispatch.committee.code: row for row in response.context["rows"]}
    cells = {c["key"]: c["value"] for c in rows["A"].cells}
    assert cells["problems.found"] == a.figures["problems"]["found"] == 3
    assert cells["funding.paid_month"] == Decimal(a.figures["funding"]["paid_month"]) == Decimal("1234.56")
    summary = response.context["summary"]
    assert (summary["total"], summary["submitted"], summary["draft"]) == (2, 1, 1)
    totals = {c["key"]: c["value"] for c in response.context["totals"]}
    assert totals["problems.found"] == a.figures["problems"]["found"] + b.figures["problems"]["found"]
    assert "1,234.56" in response.content.decode()


# ---------------------------------------------------------------- the late flag


def test_late_flags(client_for, people, dispatches):
    today = timezone.localdate()
    a, b = dispatches["a"], dispatches["b"]
    # A: submitted two days after its due date; B: a draft past its due date.
    Dispatch.objects.filter(pk__in=[a.pk, b.pk]).update(due_on=today - timedelta(days=3))
    services.dispatch_submit(dispatch=Dispatch.objects.get(pk=a.pk), by=people.bob, notes="迟交")
    Dispatch.objects.filter(pk=a.pk).update(
        submitted_at=timezone.now() - timedelta(days=1))
    response = client_for(people.alice).get(url("dispatch_board"))
    late = {row.dispatch.committee.code: row.late for row in response.context["rows"]}
    assert late == {"A": True, "B": True}
    assert response.context["summary"]["late"] == 2 and response.context["summary"]["late_drafts"] == 1
    assert client_for(people.bob).get(url("dispatch_detail", a.pk)).context["late"] is True

    # On time: submitted on the due date; a draft not yet due.
    Dispatch.objects.filter(pk=a.pk).update(due_on=today - timedelta(days=1))
    Dispatch.objects.filter(pk=b.pk).update(due_on=today + timedelta(days=5))
    response = client_for(people.alice).get(url("dispatch_board"))
    late = {row.dispatch.committee.code: row.late for row in response.context["rows"]}
    assert late == {"A": False, "B": False}
    assert response.context["summary"]["late"] == 0
    _ws, _t, _s, _h, rows = read(client_for(people.alice).get(url("dispatch_board_export")))
    assert [r[4] for r in rows] == ["否", "否", "0个"]


# ---------------------------------------------------------------- writing


def test_the_write_flow(client_for, people, dispatches):
    a = dispatches["a"]
    bob = client_for(people.bob)
    page = bob.get(url("dispatch_detail", a.pk))
    assert page.context["access"].can_write and not page.context["access"].can_reopen
    assert 'data-testid="notes-form"' in page.content.decode()

    # Submitting without notes is refused with the service's message; nothing changes.
    response = bob.post(url("dispatch_submit", a.pk), {"notes": "  "})
    assert response.status_code == 400
    assert response.context["notes_form"].errors["notes"]
    assert Dispatch.objects.get(pk=a.pk).status == DispatchStatus.DRAFT

    response = bob.post(url("dispatch_notes", a.pk), {"notes": "十月：整改推进顺利。"})
    assert response.status_code == 302 and response["Location"] == url("dispatch_detail", a.pk)
    assert Dispatch.objects.get(pk=a.pk).notes == "十月：整改推进顺利。"

    response = bob.post(url("dispatch_submit", a.pk), {"notes": "十月：整改推进顺利，走访3次。"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == DispatchStatus.SUBMITTED and a.submitted_by == people.bob
    assert a.notes == "十月：整改推进顺利，走访3次。" and a.submitted_at is not None

    # Submitted: bob can no longer change it (the page says so), nor recompile it.
    for name in ("dispatch_notes", "dispatch_submit", "dispatch_recompile"):
        response = bob.post(url(name, a.pk), {"notes": "改一改"})
        assert response.status_code == 400
    a.refresh_from_db()
    assert a.notes == "十月：整改推进顺利，走访3次。" and a.status == DispatchStatus.SUBMITTED
    assert 'data-testid="notes-form"' not in bob.get(url("dispatch_detail", a.pk)).content.decode()

    # Alice sends it back; a reason is required.
    alice = client_for(people.alice)  # the same test client, now alice's
    assert alice.get(url("dispatch_detail", a.pk)).context["access"].can_reopen
    response = alice.post(url("dispatch_reopen", a.pk), {"reason": " "})
    assert response.status_code == 400
    assert Dispatch.objects.get(pk=a.pk).status == DispatchStatus.SUBMITTED
    response = alice.post(url("dispatch_reopen", a.pk), {"reason": "走访情况请补充具体村名"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == DispatchStatus.DRAFT and a.submitted_by is None
    # Sending back a draft is refused with a message.
    assert alice.post(url("dispatch_reopen", a.pk), {"reason": "again"}).status_code == 400

    # Bob edits again and resubmits.
    bob = client_for(people.bob)  # one test client: logging alice in logged bob out
    assert bob.post(url("dispatch_notes", a.pk), {"notes": "补充：东坝村、柳树村"}).status_code == 302
    assert bob.post(url("dispatch_submit", a.pk)).status_code == 302  # the saved notes count
    a.refresh_from_db()
    assert a.status == DispatchStatus.SUBMITTED and a.notes == "补充：东坝村、柳树村"

    # The history names who did what, and the reason it was sent back.
    history = client_for(people.alice).get(url("dispatch_detail", a.pk)).context["history"]
    users = [e.record.history_user for e in history]
    assert users[:5] == [people.bob, people.bob, people.alice, people.bob, people.bob]
    assert history[2].record.history_change_reason == "走访情况请补充具体村名"
    assert "status" in history[2].changed and "notes" in history[1].changed
    assert history[-1].record.history_type == "+"


def test_notes_too_long_are_refused(client_for, people, dispatches):
    response = client_for(people.bob).post(url("dispatch_notes", dispatches["a"].pk),
                                           {"notes": "长" * 5000})
    assert response.status_code == 400
    assert Dispatch.objects.get(pk=dispatches["a"].pk).notes == ""


def test_recompile_refreshes_the_draft(client_for, people, dispatches, county):
    from .conftest import make_task

    a = dispatches["a"]
    make_task(county.branch_a2, people.bob, deadline=date(2026, 10, 20), created=date(2026, 10, 1))
    response = client_for(people.alice).post(url("dispatch_recompile", a.pk))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.figures["problems"]["found"] == 4 and a.figures["tasks"]["overdue"] == 1


def test_county_staff_write_too(client_for, people, dispatches):
    b = dispatches["b"]
    response = client_for(people.alice).post(url("dispatch_submit", b.pk), {"notes": "县里代报"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == DispatchStatus.SUBMITTED and b.submitted_by == people.alice


# ---------------------------------------------------------------- the detail page


def test_the_detail_page(client_for, people, dispatches, county):
    a = dispatches["a"]
    response = client_for(people.bob).get(url("dispatch_detail", a.pk))
    sections = response.context["sections"]
    assert [s["key"] for s in sections] == [key for key, _l, _lines in SECTIONS]
    lines = {(s["key"], c["key"]): c for s in sections for c in s["lines"]}
    assert lines[("problems", "found")]["value"] == 3
    assert lines[("funding", "paid_month")]["value"] == Decimal("1234.56")
    assert lines[("funding", "paid_month")]["money"]
    assert lines[("problems", "found")]["href"] == (
        f"{reverse('rectification:problem_list')}?committee={county.town_a.pk}")
    assert lines[("tasks", "overdue")]["href"].endswith(f"committee={county.town_a.pk}&overdue=1")
    content = response.content.decode()
    assert "1,234.56" in content
    assert url("dispatch_export", a.pk) in content
    # A viewer gets no link to the review queue, which is staff's.
    lines = {(s["key"], c["key"]): c for s in client_for(people.victor).get(
        url("dispatch_detail", a.pk)).context["sections"] for c in s["lines"]}
    assert lines[("reviews", "pending")]["href"] == ""


def test_the_tabs(client_for, people, dispatches):
    content = client_for(people.bob).get(url("dispatch_detail", dispatches["a"].pk)).content.decode()
    for tab in ("dispatch_board", "inspection_list", "bulletin", "notification_list"):
        assert url(tab) in content
    assert url("job_status") not in content
    assert url("job_status") in client_for(people.alice).get(url("dispatch_board")).content.decode()


# ---------------------------------------------------------------- exports


def test_the_sections_have_fixed_chinese_names():
    assert list(excel_dispatches.SECTION_NAMES) == [key for key, _l, _lines in SECTIONS]
    for key, _label, lines in SECTIONS:
        assert list(excel_dispatches.SECTION_NAMES[key][1]) == [line for line, _l in lines]


def test_the_board_export(client_for, people, dispatches):
    a, b = dispatches["a"], dispatches["b"]
    services.dispatch_submit(dispatch=a, by=people.bob, notes="十月工作")
    a.refresh_from_db()
    ws, title, scope, header, rows = read(
        client_for(people.alice).get(url("dispatch_board_export"), {"month": "2026-10"}))
    assert title == "月调度汇总表（2026年10月）"
    assert scope.startswith("范围：青禾县委")
    assert header[:5] == ["党(工)委", "状态", "报送截止", "提交时间", "逾期"]
    assert header[5:] == [excel_dispatches.line_header(k, line) for k, line in ALL_LINES]
    assert len(header) == 5 + sum(len(lines) for _k, _l, lines in SECTIONS)
    assert [r[0] for r in rows] == ["东坝镇党委", "西湖乡党委", "合计"]
    assert rows[0][1] == "已提交" and rows[1][1] == "草稿（未报送）"
    assert rows[0][2].date() == a.due_on and rows[0][3] is not None and rows[1][3] is None
    for row, d in ((rows[0], a), (rows[1], b)):
        values = dict(zip(ALL_LINES, row[5:], strict=True))
        for (key, line), value in values.items():
            expected = d.figures[key][line]
            if (key, line) in MONEY_LINES:
                assert Decimal(str(value)).quantize(Decimal("0.01")) == Decimal(expected)
            else:
                assert value == expected
    totals = dict(zip(ALL_LINES, rows[2][5:], strict=True))
    for key, line in ALL_LINES:
        if (key, line) in MONEY_LINES:
            expected = Decimal(a.figures[key][line]) + Decimal(b.figures[key][line])
            assert Decimal(str(totals[(key, line)])).quantize(Decimal("0.01")) == expected
        else:
            assert totals[(key, line)] == a.figures[key][line] + b.figures[key][line]
    assert rows[2][1] == "已提交 1/2"
    money_col = 5 + ALL_LINES.index(("funding", "paid_month"))
    assert ws.cell(row=4, column=money_col + 1).number_format == "#,##0.00"


def test_the_board_export_is_scoped(client_for, people, dispatches):
    _ws, _t, scope, _h, rows = read(client_for(people.bob).get(url("dispatch_board_export")))
    assert [r[0] for r in rows] == ["东坝镇党委", "合计"] and scope.startswith("范围：东坝镇党委")


def test_the_dispatch_pack(client_for, people, dispatches):
    a = dispatches["a"]
    services.dispatch_submit(dispatch=a, by=people.bob, notes="十月：整改推进顺利。\n下月：完成走访。")
    a.refresh_from_db()
    ws, title, scope, header, rows = read(client_for(people.victor).get(url("dispatch_export", a.pk)))
    assert title == "东坝镇党委月调度表（2026年10月）"
    assert scope.startswith("范围：东坝镇党委　调度月份：2026年10月")
    assert header == ["板块", "指标", "数量", "金额（元）", "说明"]
    n_lines = len(ALL_LINES)
    figures_rows = rows[:n_lines]
    assert figures_rows[0][0] == "自查评定" and figures_rows[1][0] is None
    for row, (key, line) in zip(figures_rows, ALL_LINES, strict=True):
        assert row[1] == excel_dispatches.SECTION_NAMES[key][1][line][0]
        if (key, line) in MONEY_LINES:
            assert row[2] is None
            assert Decimal(str(row[3])).quantize(Decimal("0.01")) == Decimal(a.figures[key][line])
        else:
            assert row[2] == a.figures[key][line] and row[3] is None
    paid_year = figures_rows[ALL_LINES.index(("funding", "paid_year"))]
    assert "占年度计划" in paid_year[4]
    money_row = 4 + ALL_LINES.index(("funding", "planned"))
    assert ws.cell(row=money_row, column=4).number_format == "#,##0.00"
    tail = {r[0]: r[1] for r in rows[n_lines:] if r[0]}
    assert tail["党委说明"] == "十月：整改推进顺利。"
    assert ["下月：完成走访。"] == [r[1] for r in rows[n_lines:] if r[0] is None and r[1]]
    assert tail["状态"] == "已提交" and tail["报送人"] == people.bob.full_name
    assert tail["报送截止"].date() == a.due_on and tail["报送时间"] is not None
    assert tail["是否逾期"] in ("是", "否")


def test_a_draft_pack_without_notes(client_for, people, dispatches):
    _ws, _t, _s, _h, rows = read(client_for(people.charlie).get(url("dispatch_export",
                                                                    dispatches["b"].pk)))
    tail = {r[0]: r[1] for r in rows if r[0]}
    assert tail["党委说明"] == "（未填写）" and tail["状态"] == "草稿（未报送）"
    assert tail["报送人"] is None and tail["报送时间"] is None


def test_damaged_figures_do_not_break_the_pages(client_for, people, dispatches):
    a = dispatches["a"]
    Dispatch.objects.filter(pk=a.pk).update(figures={"funding": {"planned": "abc"}, "tasks": None})
    client = client_for(people.alice)
    assert client.get(url("dispatch_board")).status_code == 200
    assert client.get(url("dispatch_detail", a.pk)).status_code == 200
    read(client.get(url("dispatch_export", a.pk)))
    read(client.get(url("dispatch_board_export")))


def test_parse_month():
    assert parse_month("2026-10") == OCTOBER and parse_month(" 2026-1 ") == date(2026, 1, 1)
    assert parse_month("２０２６-１０") == OCTOBER  # typed with a Chinese input method
    assert parse_month("2026-13") is None and parse_month(None) is None and parse_month("") is None


# ---------------------------------------------------------------- query counts


@pytest.fixture(params=["small", "big"])
def size(request, county, people):
    """2 committees, or 12 (with branches), each with October's dispatch; half submitted."""
    if request.param == "big":
        for i in range(10):
            committee = OrganizationFactory(parent=county.county, code=f"X{i}", level=Level.COMMITTEE,
                                            category=None)
            add_many_branches(committee, 3, prefix=f"X{i}-")
    dispatch_job.compile_dispatches(DAY)
    for i, d in enumerate(Dispatch.objects.order_by("committee__path")):
        if i % 2 == 0:
            services.dispatch_submit(dispatch=d, by=people.alice, notes=f"说明{i}")
        else:
            for n in range(3):  # a longer history
                services.dispatch_save_notes(dispatch=d, by=people.bob, notes=f"草稿{n}")
    return Dispatch.objects.count()


BOUND_BOARD = 5
BOUND_DETAIL = 5
BOUND_BOARD_EXPORT = 6
BOUND_PACK = 4


@pytest.mark.parametrize("who", ["alice", "bob", "victor"])
def test_board_queries(client_for, people, size, who, django_assert_max_num_queries):
    client = client_for(getattr(people, who))
    # 1-3 session, user, grants; 4 the months in scope; 5 the month's dispatches with
    # committee and submitter.
    with django_assert_max_num_queries(BOUND_BOARD):
        response = client.get(url("dispatch_board"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == (size if who == "alice" else 1)


def test_detail_queries(client_for, people, size, django_assert_max_num_queries):
    client = client_for(people.alice)
    for d in Dispatch.objects.all():
        # 1-3 session, user, grants; 4 the dispatch with committee and submitter;
        # 5 its history with the users.
        with django_assert_max_num_queries(BOUND_DETAIL):
            response = client.get(url("dispatch_detail", d.pk))
        assert response.status_code == 200


def test_board_export_queries(client_for, people, size, django_assert_max_num_queries):
    client = client_for(people.alice)
    # 1-3 session, user, grants; 4 the months in scope; 5 the month's dispatches;
    # 6 the scope's names.
    with django_assert_max_num_queries(BOUND_BOARD_EXPORT):
        _ws, _t, _s, _h, rows = read(client.get(url("dispatch_board_export")))
    assert len(rows) == size + 1


def test_pack_queries(client_for, people, size, django_assert_max_num_queries):
    client = client_for(people.alice)
    for d in Dispatch.objects.all()[:3]:
        # 1-3 session, user, grants; 4 the dispatch with committee and submitter.
        with django_assert_max_num_queries(BOUND_PACK):
            read(client.get(url("dispatch_export", d.pk)))
