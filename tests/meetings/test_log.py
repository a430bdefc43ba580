"""The meeting log's pages: logging a meeting with its files in one POST, a meeting and its
files, the list and its export, an organization's calendar, and the org page panel."""

import io
import struct
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from meetings import services
from meetings.excel import HEADERS
from meetings.models import Meeting, MeetingAttachment
from orgs.models import Level
from tests.factories import OrganizationFactory, add_many_branches

from .conftest import log

pytestmark = pytest.mark.django_db


def png_bytes():
    """A real 1×1 PNG (the upload check reads the signature)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def png(name="合影.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def exe_as_png():
    return SimpleUploadedFile("签到表.png", b"MZ\x90\x00" + b"\x00" * 60, content_type="image/png")


def url(name, *args):
    return reverse(f"meetings:{name}", args=args)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def today():
    return timezone.localdate()


def earlier(days=3):
    """A day this year before today (the tests' meetings are this year's)."""
    day = today() - timedelta(days=days)
    return day if day.year == today().year else today()


def form_data(library, **extra):
    data = {"meeting_type": library["theme_day"].pk, "held_on": earlier().isoformat(),
            "topic": "学习党的二十届四中全会精神", "due": "12", "present": "11",
            "absences": "张三 外出务工", "place": "村委会议室", "host": "陈书记"}
    data.update(extra)
    return data


# ---------------------------------------------------------------- logging a meeting


def test_the_form_opens_on_the_secretary_branch(client_for, people, county, library):
    response = client_for(people.dave).get(url("meeting_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["org"] == county.branch_a1
    assert form["organization"].is_hidden
    assert form.initial["due"] == county.branch_a1.member_count
    assert form.initial["meeting_type"] == library["theme_day"].pk
    assert set(form.fields["meeting_type"].queryset) == set(library.values())


def test_dave_logs_a_theme_day_with_a_photo(client_for, people, county, library, media):
    client = client_for(people.dave)
    data = form_data(library, organization=county.branch_a1.pk, files=[png(), png("签到表.png")])
    response = client.post(url("meeting_create"), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("meeting_detail", meeting.pk)
    assert (meeting.organization, meeting.meeting_type) == (county.branch_a1, library["theme_day"])
    assert (meeting.due, meeting.present, meeting.recorded_by) == (12, 11, people.dave)
    names = list(meeting.attachments.values_list("original_name", "content_type"))
    assert names == [("合影.png", "image/png"), ("签到表.png", "image/png")]
    assert len(stored_files(media)) == 2
    # The detail page shows the photos as thumbnails served by the download view.
    page = client.get(url("meeting_detail", meeting.pk))
    assert page.status_code == 200
    for a in meeting.attachments.all():
        assert url("attachment_download", a.pk).encode() in page.content
    assert page.context["can_write"] is True


def test_a_blank_due_is_the_member_count(client_for, people, county, library):
    data = form_data(library, organization=county.branch_a1.pk, due="", present="3")
    assert client_for(people.dave).post(url("meeting_create"), data).status_code == 302
    assert Meeting.objects.get().due == county.branch_a1.member_count


def test_a_renamed_exe_saves_nothing(client_for, people, county, library, media):
    data = form_data(library, organization=county.branch_a1.pk, files=[png(), exe_as_png()])
    response = client_for(people.dave).post(url("meeting_create"), data)
    assert response.status_code == 400
    assert "签到表.png" in response.context["file_error"]
    assert b'data-testid="file-error"' in response.content
    assert not Meeting.objects.exists() and not MeetingAttachment.objects.exists()
    assert stored_files(media) == []


def test_a_file_refused_while_storing_leaves_no_meeting(client_for, people, county, library, media,
                                                        monkeypatch):
    """Should the service refuse a file the view's check let through, the meeting and the
    files already written go too."""
    from assessments.evidence import EvidenceRejected

    real = services.attachment_add
    calls = []

    def second_fails(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise EvidenceRejected("refused", "test")
        return real(**kwargs)

    monkeypatch.setattr(services, "attachment_add", second_fails)
    data = form_data(library, organization=county.branch_a1.pk, files=[png(), png("b.png")])
    response = client_for(people.dave).post(url("meeting_create"), data)
    assert response.status_code == 400
    assert response.context["file_error"] == "refused"
    assert not Meeting.objects.exists() and not MeetingAttachment.objects.exists()
    assert stored_files(media) == []


def test_present_over_due_is_a_field_error(client_for, people, county, library):
    data = form_data(library, organization=county.branch_a1.pk, due="5", present="6", files=[png()])
    response = client_for(people.dave).post(url("meeting_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["present"]
    assert not Meeting.objects.exists() and not MeetingAttachment.objects.exists()


def test_a_future_date_is_refused(client_for, people, county, library):
    data = form_data(library, organization=county.branch_a1.pk,
                     held_on=(today() + timedelta(days=1)).isoformat())
    response = client_for(people.dave).post(url("meeting_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["held_on"]
    assert not Meeting.objects.exists()


def test_missing_fields_and_garbage_are_form_errors(client_for, people, county, library):
    client = client_for(people.dave)
    response = client.post(url("meeting_create"), {"organization": "x1", "meeting_type": "999999",
                                                  "held_on": "2026-13-45", "present": "-1"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"organization", "meeting_type", "held_on", "topic", "present"} <= set(errors)
    assert not Meeting.objects.exists()


def test_scope_of_logging(client_for, people, county, library):
    # erin cannot log for A1: posting it is refused, and A1 is out of her sight (?org=: 404).
    erin = client_for(people.erin)
    response = erin.post(url("meeting_create"), form_data(library, organization=county.branch_a1.pk))
    assert response.status_code == 403
    assert erin.get(url("meeting_create") + f"?org={county.branch_a1.pk}").status_code == 404
    assert not Meeting.objects.exists()
    # bob logs for A1 and A2, picks one; B1 is out of his scope: 404.
    bob = client_for(people.bob)
    page = bob.get(url("meeting_create"))
    assert set(page.context["form"].fields["organization"].queryset) == {
        county.branch_a1, county.branch_a2}
    for branch in (county.branch_a1, county.branch_a2):
        assert bob.get(url("meeting_create") + f"?org={branch.pk}").status_code == 200
        assert bob.post(url("meeting_create") + f"?org={branch.pk}",
                        form_data(library, organization=branch.pk)).status_code == 302
    assert set(Meeting.objects.values_list("organization__code", flat=True)) == {"A1", "A2"}
    assert bob.get(url("meeting_create") + f"?org={county.branch_b1.pk}").status_code == 404
    # The committee itself holds no branch meetings here.
    assert bob.get(url("meeting_create") + f"?org={county.town_a.pk}").status_code == 403
    # ?org= naming one organization only lets the form take that one.
    response = bob.post(url("meeting_create") + f"?org={county.branch_a1.pk}",
                        form_data(library, organization=county.branch_a2.pk))
    assert response.status_code == 403
    assert bob.post(url("meeting_create"), form_data(
        library, organization=county.branch_b1.pk)).status_code == 403
    assert Meeting.objects.count() == 2


def test_a_secretary_of_two_branches_chooses(client_for, people, county, library):
    from tests.factories import AssignmentFactory

    AssignmentFactory(user=people.dave, organization=county.branch_a2, role="secretary")
    page = client_for(people.dave).get(url("meeting_create"))
    assert page.context["org"] is None
    assert not page.context["form"]["organization"].is_hidden


@pytest.mark.parametrize("param", ["abc", "999999", "-1", "1.5"])
def test_bad_org_params(client_for, people, library, param):
    assert client_for(people.bob).get(url("meeting_create") + f"?org={param}").status_code == 404


def test_readers_may_not_write(client_for, people, county, library):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    victor = client_for(people.victor)
    assert victor.get(url("meeting_detail", meeting.pk)).status_code == 200
    assert victor.get(url("meeting_create")).status_code == 403
    assert victor.post(url("meeting_create"), form_data(library)).status_code == 403
    assert victor.get(url("meeting_edit", meeting.pk)).status_code == 403
    assert victor.post(url("meeting_edit", meeting.pk), form_data(library)).status_code == 403
    assert victor.post(url("meeting_delete", meeting.pk), {"reason": "x"}).status_code == 403
    assert victor.post(url("attachment_add", meeting.pk), {"files": [png()]}).status_code == 403
    attachment = services.attachment_add(meeting=meeting, uploaded_file=png(), by=people.dave)
    assert victor.get(url("attachment_download", attachment.pk)).status_code == 200
    assert victor.post(url("attachment_delete", attachment.pk)).status_code == 403
    assert Meeting.objects.count() == 1 and MeetingAttachment.objects.count() == 1


def test_nobody_and_anonymous(client, client_for, people, county, library):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    attachment = services.attachment_add(meeting=meeting, uploaded_file=png(), by=people.dave)
    pages = [url("meeting_list"), url("meeting_export"), url("meeting_create"),
             url("meeting_detail", meeting.pk), url("meeting_edit", meeting.pk),
             url("meeting_delete", meeting.pk), url("attachment_download", attachment.pk),
             url("org_log", county.branch_a1.pk)]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response["Location"], page
    nobody = client_for(people.nobody)
    assert nobody.get(url("meeting_list")).status_code == 403
    assert nobody.get(url("meeting_export")).status_code == 403
    assert nobody.get(url("meeting_create")).status_code == 403
    for page in pages[3:]:
        assert nobody.get(page).status_code == 404, page


def test_out_of_scope_is_404(client_for, people, county, library):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    attachment = services.attachment_add(meeting=meeting, uploaded_file=png(), by=people.dave)
    for user in (people.erin, people.charlie, people.harry):
        client = client_for(user)
        assert client.get(url("meeting_detail", meeting.pk)).status_code == 404
        assert client.get(url("meeting_edit", meeting.pk)).status_code == 404
        assert client.post(url("meeting_delete", meeting.pk), {"reason": "x"}).status_code == 404
        assert client.post(url("attachment_add", meeting.pk)).status_code == 404
        assert client.get(url("attachment_download", attachment.pk)).status_code == 404
        assert client.post(url("attachment_delete", attachment.pk)).status_code == 404
        assert client.get(url("org_log", county.branch_a1.pk)).status_code == 404
        assert meeting.pk not in [m.pk for m in client.get(url("meeting_list")).context["meetings"]]
    assert client_for(people.erin).get(url("org_log", county.branch_a2.pk)).status_code == 200


def test_wrong_methods(client_for, people, county, library):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    attachment = services.attachment_add(meeting=meeting, uploaded_file=png(), by=people.dave)
    client = client_for(people.dave)
    assert client.post(url("meeting_list")).status_code == 405
    assert client.post(url("meeting_export")).status_code == 405
    assert client.put(url("meeting_create")).status_code == 405
    assert client.post(url("meeting_detail", meeting.pk)).status_code == 405
    assert client.delete(url("meeting_edit", meeting.pk)).status_code == 405
    assert client.put(url("meeting_delete", meeting.pk)).status_code == 405
    assert client.get(url("attachment_add", meeting.pk)).status_code == 405
    assert client.post(url("attachment_download", attachment.pk)).status_code == 405
    assert client.get(url("attachment_delete", attachment.pk)).status_code == 405
    assert client.post(url("org_log", county.branch_a1.pk)).status_code == 405


def test_unknown_pks_are_404(client_for, people, library):
    client = client_for(people.alice)
    for name in ("meeting_detail", "meeting_edit", "attachment_download", "org_log"):
        assert client.get(url(name, 999999)).status_code == 404
    assert client.post(url("meeting_delete", 999999)).status_code == 404
    assert client.post(url("attachment_delete", 999999)).status_code == 404


# ---------------------------------------------------------------- a meeting and its files


def test_edit_and_history(client_for, people, county, library):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    client = client_for(people.dave)
    assert client.get(url("meeting_edit", meeting.pk)).context["form"].initial["topic"] == "学习贯彻"
    response = client.post(url("meeting_edit", meeting.pk), form_data(library, topic="新主题", present="13"))
    assert response.status_code == 400 and response.context["form"].errors["present"]
    response = client.post(url("meeting_edit", meeting.pk), form_data(library, topic="新主题"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "新主题"
    history = client.get(url("meeting_detail", meeting.pk)).context["history"]
    assert [h.history_type for h in history] == ["~", "+"]
    assert history[0].history_user == people.dave and history[0].changed


def test_delete_asks_then_deletes_with_its_files(client_for, people, county, library, media):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    services.attachment_add(meeting=meeting, uploaded_file=png(), by=people.dave)
    client = client_for(people.bob)
    assert client.get(url("meeting_delete", meeting.pk)).status_code == 200
    assert client.post(url("meeting_delete", meeting.pk), {"reason": ""}).status_code == 400
    assert Meeting.objects.exists()
    response = client.post(url("meeting_delete", meeting.pk), {"reason": "重复录入"})
    assert response.status_code == 302 and response["Location"] == url("org_log", county.branch_a1.pk)
    assert not Meeting.objects.exists() and not MeetingAttachment.objects.exists()
    assert stored_files(media) == []
    deleted = Meeting.history.filter(history_type="-").get()
    assert (deleted.history_change_reason, deleted.history_user) == ("重复录入", people.bob)


def test_add_and_delete_files(client_for, people, county, library, media,
                              django_capture_on_commit_callbacks):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    client = client_for(people.dave)
    response = client.post(url("attachment_add", meeting.pk), {"files": [png(), exe_as_png()]})
    assert response.status_code == 400 and "签到表.png" in response.context["upload_error"]
    assert not MeetingAttachment.objects.exists()
    assert client.post(url("attachment_add", meeting.pk), {}).status_code == 400
    response = client.post(url("attachment_add", meeting.pk), {"files": [png(), png("b.png")]})
    assert response.status_code == 302
    assert meeting.attachments.count() == 2
    first = meeting.attachments.first()
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row has
        response = client.post(url("attachment_delete", first.pk))
    assert response.status_code == 302
    assert list(meeting.attachments.values_list("original_name", flat=True)) == ["b.png"]
    assert len(stored_files(media)) == 1


def test_no_more_than_the_limit(client_for, people, county, library):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    files = [png(f"{i}.png") for i in range(services.MAX_ATTACHMENTS + 1)]
    response = client_for(people.dave).post(url("attachment_add", meeting.pk), {"files": files})
    assert response.status_code == 400
    assert not MeetingAttachment.objects.exists()


def test_download_serves_what_was_checked(client_for, people, county, library):
    meeting = log(county.branch_a1, library["theme_day"], earlier(), people.dave)
    attachment = services.attachment_add(meeting=meeting, uploaded_file=png("合影.png"), by=people.dave)
    response = client_for(people.bob).get(url("attachment_download", attachment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''%E5%90%88%E5%BD%B1.png" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == png_bytes()


# ---------------------------------------------------------------- the list and its export


def test_list_filters(client_for, people, county, library):
    day = earlier()
    log(county.branch_a1, library["theme_day"], day, people.dave, topic="A1主题党日")
    log(county.branch_a2, library["party_lecture"], day, people.erin, topic="A2党课")
    log(county.branch_b1, library["theme_day"], day, people.alice, topic="B1主题党日")
    client = client_for(people.alice)

    def topics(**params):
        response = client.get(url("meeting_list"), params)
        assert response.status_code == 200
        return sorted(m.topic for m in response.context["meetings"])

    assert topics() == ["A1主题党日", "A2党课", "B1主题党日"]
    assert topics(committee=county.town_a.pk) == ["A1主题党日", "A2党课"]
    assert topics(q="柳树") == ["A2党课"]
    assert topics(q="b1") == ["B1主题党日"]
    assert topics(meeting_type=library["theme_day"].pk) == ["A1主题党日", "B1主题党日"]
    assert topics(year=day.year) == ["A1主题党日", "A2党课", "B1主题党日"]
    assert topics(year=day.year - 1) == []
    assert topics(date_from=(day + timedelta(days=1)).isoformat()) == []
    assert topics(date_to=day.isoformat()) == ["A1主题党日", "A2党课", "B1主题党日"]
    # Garbage is ignored and said, never a 500 nor a wider scope.
    response = client.get(url("meeting_list"), {"committee": "abc", "year": "x", "meeting_type": "y",
                                                "date_from": "2026-99-01", "page": "zzz"})
    assert response.status_code == 200 and len(response.context["meetings"]) == 3
    assert response.context["form"].errors
    # bob sees his committee's only; dave his branch's.
    assert [m.topic for m in client_for(people.bob).get(url("meeting_list")).context["meetings"]] \
        in (["A1主题党日", "A2党课"], ["A2党课", "A1主题党日"])
    dave = client_for(people.dave).get(url("meeting_list"))
    assert [m.topic for m in dave.context["meetings"]] == ["A1主题党日"]
    assert dave.context["can_log"] is True
    assert client_for(people.victor).get(url("meeting_list")).context["can_log"] is False


def read(response):
    assert response.status_code == 200, response.content[:300]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    return rows[0][0], rows[1][0], rows[2], rows[3:]


def test_export_headers_and_rows(client_for, people, county, library):
    day = earlier()
    m = log(county.branch_a1, library["theme_day"], day, people.dave, topic="A1主题党日",
            place="村委会", host="陈书记", absences="张三 外出")
    services.attachment_add(meeting=m, uploaded_file=png(), by=people.dave)
    log(county.branch_b1, library["theme_day"], day, people.alice, topic="B1主题党日")
    title, scope, header, rows = read(client_for(people.alice).get(url("meeting_export")))
    assert title == "组织生活记录" and scope.startswith("范围：青禾县委")
    assert header == HEADERS == ["党(工)委", "组织代码", "组织名称", "会议类型", "日期", "主题", "地点",
                                 "主持人", "应到", "实到", "缺席及原因", "记录人", "附件数"]
    assert len(rows) == 2
    a1 = next(r for r in rows if r[1] == "A1")
    assert a1[0] == "东坝镇党委" and a1[2] == "东坝村党支部" and a1[3] == "主题党日"
    assert a1[4].date() == day
    assert a1[5:] == ["A1主题党日", "村委会", "陈书记", 12, 11, "张三 外出", people.dave.full_name, 1]
    # The list's filters, and the scope: bob's file holds A1's only.
    _, scope, _, rows = read(client_for(people.alice).get(url("meeting_export"), {"q": "B1"}))
    assert [r[1] for r in rows] == ["B1"] and "“B1”" in scope
    assert [r[1] for r in read(client_for(people.bob).get(url("meeting_export")))[3]] == ["A1"]
    assert client_for(people.bob).get(url("meeting_export"), {"year": "abc"}).status_code == 200


def test_export_headers_are_the_importers():
    importing = pytest.importorskip("meetings.importing")
    headers = getattr(importing, "HEADERS", None)
    if headers is None:
        pytest.skip("the importer names no HEADERS")
    theirs = set(headers.values() if isinstance(headers, dict) else headers)
    shared = {"组织代码", "会议类型", "日期", "主题", "地点", "主持人", "应到", "实到", "缺席及原因"}
    assert shared <= theirs and shared <= set(HEADERS)


# ---------------------------------------------------------------- one organization


def test_org_log_calendar(client_for, people, county, library):
    day = earlier()
    m = log(county.branch_a1, library["theme_day"], day, people.dave)
    client = client_for(people.bob)
    response = client.get(url("org_log", county.branch_a1.pk), {"year": day.year, "month": day.month})
    assert response.status_code == 200
    cells = [c for week in response.context["weeks"] for c in week]
    assert all(len(week) == 7 for week in response.context["weeks"])
    assert next(c for c in cells if c["day"] == day)["meetings"] == [m]
    assert [x.pk for x in response.context["meetings"]] == [m.pk]
    assert response.context["can_log"] is True
    assert url("meeting_detail", m.pk).encode() in response.content
    assert client_for(people.victor).get(url("org_log", county.branch_a1.pk)).context["can_log"] is False


@pytest.mark.parametrize("params", [{"year": "abc"}, {"month": "13"}, {"year": "99999999999"},
                                    {"year": "1900", "month": "1"}, {"month": "0"}])
def test_org_log_bad_months_fall_back(client_for, people, county, library, params):
    response = client_for(people.dave).get(url("org_log", county.branch_a1.pk), params)
    assert response.status_code == 200
    assert (response.context["year"], response.context["month"]) == (today().year, today().month)


def test_org_log_month_edges(client_for, people, county, library):
    client = client_for(people.dave)
    response = client.get(url("org_log", county.branch_a1.pk), {"year": 2026, "month": 1})
    assert response.context["prev"] == {"year": 2025, "month": 12}
    response = client.get(url("org_log", county.branch_a1.pk), {"year": 2025, "month": 12})
    assert response.context["next"] == {"year": 2026, "month": 1}


# ---------------------------------------------------------------- the org page panel


def test_panel_on_a_branch(client_for, people, county, library):
    day = earlier()
    log(county.branch_a1, library["theme_day"], day, people.dave)
    log(county.branch_a1, library["party_lecture"], day, people.dave)
    response = client_for(people.dave).get(reverse("orgs:detail", args=[county.branch_a1.pk]))
    assert response.status_code == 200
    panel = next(p for t, p in response.context["panels"] if t == "meetings/_org_panel.html")
    held = {row["name"]: row["held"] for row in panel["rows"]}
    assert held["主题党日"] == 1 and held["党课"] == 1 and held["支部委员会"] == 0
    assert len(panel["latest"]) == 2 and panel["can_log"] is True
    assert f"?org={county.branch_a1.pk}" in panel["log_url"]
    assert b'data-testid="meetings-panel"' in response.content


def test_no_panel_for_a_committee_without_meetings(client_for, people, county, library):
    response = client_for(people.bob).get(reverse("orgs:detail", args=[county.town_a.pk]))
    assert response.status_code == 200
    assert "meetings/_org_panel.html" not in [t for t, _ in response.context["panels"]]


# ---------------------------------------------------------------- query counts


def grow(county, people, library, n):
    """More committees, branches and meetings with files."""
    for i in range(n):
        town = OrganizationFactory(parent=county.county, level=Level.COMMITTEE, category=None,
                                   code=f"Q{i}", name=f"第{i}镇党委")
        for branch in add_many_branches(town, 3, prefix=f"Q{i}B"):
            m = log(branch, library["theme_day"], earlier(), people.alice)
            services.attachment_add(meeting=m, uploaded_file=png(), by=people.alice)
    for i in range(n * 2):
        m = log(county.branch_a1, library["theme_day" if i % 2 else "branch_committee"],
                earlier(i % 200 + 1), people.dave, topic=f"第{i}次")
        services.attachment_add(meeting=m, uploaded_file=png(), by=people.dave)


@pytest.mark.parametrize("size", [1, 6])
def test_query_counts(client_for, people, county, library, size, django_assert_max_num_queries):
    grow(county, people, library, size)
    client = client_for(people.alice)
    meeting = Meeting.objects.filter(organization=county.branch_a1).first()
    for _ in range(3):
        services.attachment_add(meeting=meeting, uploaded_file=png(), by=people.dave)
    client.get(url("meeting_list"))  # the session and the user, loaded once
    # session, user, grants, committees, types, count, page, committee names
    with django_assert_max_num_queries(8):
        assert client.get(url("meeting_list"), {"year": today().year}).status_code == 200
    # session, user, grants, committees, types, scope names, committee names, the count
    # (download now or in the background: the exports app), rows
    with django_assert_max_num_queries(9):
        response = client.get(url("meeting_export"))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    expected = Meeting.objects.count()
    assert len(read(client.get(url("meeting_export")))[3]) == expected
    # session, user, grants, meeting, attachments, history, committee names
    with django_assert_max_num_queries(7):
        assert client.get(url("meeting_detail", meeting.pk)).status_code == 200
    # session, user, grants, organization, the year's meetings
    with django_assert_max_num_queries(5):
        assert client.get(url("org_log", county.branch_a1.pk)).status_code == 200


# The organization page with every app's panel at the time of writing: 18 queries, of which
# the meetings panel's three. Another app's panel may raise it; the bound is the same at both sizes.
ORG_PAGE_QUERIES = 18


@pytest.mark.parametrize("size", [1, 6])
def test_org_page_with_the_panel(client_for, people, county, library, size,
                                 django_assert_max_num_queries):
    grow(county, people, library, size)
    client = client_for(people.dave)
    client.get(reverse("orgs:detail", args=[county.branch_a1.pk]))  # session and user loaded once
    with django_assert_max_num_queries(ORG_PAGE_QUERIES):
        response = client.get(reverse("orgs:detail", args=[county.branch_a1.pk]))
    assert response.status_code == 200
    assert "meetings/_org_panel.html" in [t for t, _ in response.context["panels"]]


@pytest.mark.parametrize("size", [1, 6])
def test_panel_queries(rf, people, county, library, size, django_assert_num_queries):
    from meetings.panels import org_panel

    grow(county, people, library, size)
    request = rf.get("/")
    request.user = people.dave
    org_panel(request, county.branch_a1)  # the grants, cached on the user
    # the rules over the branch, the year's meetings per type and day, the latest three
    with django_assert_num_queries(3):
        template, panel = org_panel(request, county.branch_a1)
    assert sum(row["held"] for row in panel["rows"]) == panel["total"] == Meeting.objects.filter(
        organization=county.branch_a1, held_on__year=today().year).count()


def test_date_defaults_to_today(client_for, people, library):
    form = client_for(people.dave).get(url("meeting_create")).context["form"]
    assert form["held_on"].value() == today()


def test_an_export_imports_back(client_for, people, county, library):
    """The export's file, imported again, gives the same meetings (the importer reads the
    columns it knows by the same headers and ignores the rest)."""
    from meetings.importing import import_meetings

    day = earlier()
    log(county.branch_a1, library["theme_day"], day, people.dave, topic="A1主题党日", place="村委会",
        absences="张三 外出")
    log(county.branch_a2, library["party_lecture"], day, people.erin, topic="A2党课")
    response = client_for(people.bob).get(url("meeting_export"))
    content = b"".join(response.streaming_content)
    before = sorted(Meeting.objects.values_list("organization__code", "meeting_type__code", "held_on",
                                                "topic", "place", "due", "present", "absences"))
    Meeting.objects.all().delete()
    result = import_meetings(workbook_file=SimpleUploadedFile("会议.xlsx", content), user=people.bob)
    assert result.ok, [e.message for e in result.errors]
    after = sorted(Meeting.objects.values_list("organization__code", "meeting_type__code", "held_on",
                                               "topic", "place", "due", "present", "absences"))
    assert after == before
