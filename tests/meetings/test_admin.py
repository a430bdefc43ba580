"""The meeting admin: scoped like the pages; a county's types and rules written by its
county staff, meetings by whoever may log for the organization, always through the
services' checks; files read-only and served by the scope-checked download."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import ItemBinding, Meeting, MeetingRule, MeetingType, Rhythm
from standards import services as std
from tests.assessments.campaign_builders import other_county

from .conftest import log

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    for user in (people.alice, people.bob, people.charlie, people.victor, people.dave, people.erin):
        user.is_staff = True
        user.save()
    return people


@pytest.fixture
def meetings(library, county, staff):
    return {
        "a1": log(county.branch_a1, library["theme_day"], date(2026, 10, 15), staff.dave,
                  topic="重温入党誓词"),
        "a2": log(county.branch_a2, library["branch_committee"], date(2025, 12, 3), staff.erin,
                  topic="研究发展党员"),
        "b1": log(county.branch_b1, library["party_lecture"], date(2026, 9, 25), staff.charlie,
                  topic="书记讲党课"),
    }


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:meetings_{model}_{action}", args=args)


def shown(response):
    assert response.status_code == 200
    return sorted(o.pk for o in response.context["cl"].result_list)


def pks(*objs):
    return sorted(o.pk for o in objs)


def meeting_form(org, mtype, **extra):
    data = {"organization": org.pk, "meeting_type": mtype.pk, "held_on": "2026-11-05",
            "topic": "学习贯彻全会精神", "place": "党员活动室", "host": "陈书记", "due": 12,
            "present": 10, "absences": "张三：外出务工\n李四：生病", "minutes": "会议纪要",
            "attachments-TOTAL_FORMS": 0, "attachments-INITIAL_FORMS": 0}
    return {**data, **extra}


def test_meetings_are_scoped(client_for, staff, meetings):
    m = meetings
    assert shown(client_for(staff.bob).get(admin_url("meeting"))) == pks(m["a1"], m["a2"])
    assert shown(client_for(staff.dave).get(admin_url("meeting"))) == pks(m["a1"])
    assert shown(client_for(staff.charlie).get(admin_url("meeting"))) == pks(m["b1"])
    assert shown(client_for(staff.alice).get(admin_url("meeting"))) == pks(*m.values())
    assert shown(client_for(staff.root).get(admin_url("meeting"))) == pks(*m.values())
    assert shown(client_for(other_county().zoe).get(admin_url("meeting"))) == []


def test_types_and_rules_are_read_down_the_tree(client_for, staff, library):
    rules = MeetingRule.objects.count()
    for user in (staff.alice, staff.dave, staff.charlie):
        assert len(shown(client_for(user).get(admin_url("meetingtype")))) == 7
        assert len(shown(client_for(user).get(admin_url("meetingrule")))) == rules == 7
    zoe = other_county().zoe
    assert shown(client_for(zoe).get(admin_url("meetingtype"))) == []
    assert shown(client_for(zoe).get(admin_url("meetingrule"))) == []
    rule = MeetingRule.objects.get(meeting_type=library["theme_day"])
    assert client_for(zoe).get(admin_url("meetingrule", "change", rule.pk)).status_code == 302
    assert client_for(zoe).get(admin_url("meetingrule", "history", rule.pk)).status_code == 404


def test_search_and_filters(client_for, staff, meetings, county, library):
    m, client = meetings, client_for(staff.alice)
    url = admin_url("meeting")
    assert shown(client.get(url, {"q": "誓词"})) == pks(m["a1"])
    assert shown(client.get(url, {"q": "西湖社区"})) == pks(m["b1"])
    assert shown(client.get(url, {"year": "2025"})) == pks(m["a2"])
    assert shown(client.get(url, {"committee": county.town_b.pk})) == pks(m["b1"])
    assert shown(client.get(url, {"committee": county.branch_a1.pk})) == []  # not a committee
    assert shown(client.get(url, {"rhythm": Rhythm.QUARTER})) == pks(m["b1"])
    assert shown(client.get(url, {"rhythm": Rhythm.MONTH})) == pks(m["a1"], m["a2"])
    assert shown(client.get(url, {"meeting_type__id__exact": library["theme_day"].pk})) \
        == pks(m["a1"])
    # Garbage in a filter is ignored, never a 500.
    for params in ({"year": "abc"}, {"committee": "x"}, {"rhythm": "weekly"}, {"year": "99999"}):
        assert shown(client.get(url, params)) == pks(*m.values())
    # Bob's committee filter offers his committee only: charlie's is not even a choice.
    assert shown(client_for(staff.bob).get(url, {"committee": county.town_b.pk})) == []


def test_a_secretary_logs_through_the_services(client_for, staff, library, county):
    client = client_for(staff.dave)
    response = client.post(admin_url("meeting", "add"),
                           meeting_form(county.branch_a1, library["theme_day"]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get()
    assert (meeting.organization, meeting.recorded_by, meeting.present) == (
        county.branch_a1, staff.dave, 10)
    assert meeting.history.get().history_user == staff.dave
    # Changed through meeting_update: history names who changed it.
    data = meeting_form(county.branch_a1, library["theme_day"], topic="参观红色教育基地", present=12)
    assert client.post(admin_url("meeting", "change", meeting.pk), data).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.present, meeting.recorded_by) == ("参观红色教育基地", 12, staff.dave)
    assert meeting.history.first().history_user == staff.dave


@pytest.mark.parametrize(("change", "field"), [
    ({"held_on": "2099-01-01"}, "held_on"),  # not held yet
    ({"present": 13}, "present"),  # more present than due
])
def test_the_services_checks_show_on_the_form(client_for, staff, library, county, change, field):
    response = client_for(staff.dave).post(
        admin_url("meeting", "add"), meeting_form(county.branch_a1, library["theme_day"], **change))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Meeting.objects.exists()


def test_foreign_keys_offer_the_scope_only(client_for, staff, library, county):
    zoe = other_county()
    services.load_library(county=zoe.root)
    foreign_type = MeetingType.objects.get(owner=zoe.root, code="theme_day")
    client = client_for(staff.dave)
    form = client.get(admin_url("meeting", "add")).context["adminform"].form
    assert list(form.fields["organization"].queryset) == [county.branch_a1]
    assert foreign_type not in form.fields["meeting_type"].queryset
    for data in (meeting_form(county.branch_a2, library["theme_day"]),  # erin's branch
                 meeting_form(county.branch_a1, foreign_type)):  # the other county's type
        response = client.post(admin_url("meeting", "add"), data)
        assert response.status_code == 200
        assert not Meeting.objects.exists()
    # A type of the county, but no longer active: the service's own refusal.
    MeetingType.objects.filter(pk=library["group_meeting"].pk).update(is_active=False)
    form = client_for(staff.bob).get(admin_url("meeting", "add")).context["adminform"].form
    assert library["group_meeting"] not in form.fields["meeting_type"].queryset


def test_who_may_change_what(client_for, staff, meetings, library):
    a1 = meetings["a1"]
    data = meeting_form(a1.organization, library["theme_day"], topic="改")
    # The viewer and the neighbour secretary: no add; the viewer reads, erin does not see A1.
    assert client_for(staff.victor).get(admin_url("meeting", "add")).status_code == 403
    assert client_for(staff.victor).post(admin_url("meeting", "change", a1.pk), data).status_code == 403
    assert client_for(staff.erin).get(admin_url("meeting", "change", a1.pk)).status_code == 302
    assert client_for(staff.erin).get(admin_url("meeting", "history", a1.pk)).status_code == 404
    # Committee staff over it change it; the secretary deletes it through the service.
    assert client_for(staff.bob).post(admin_url("meeting", "change", a1.pk), data).status_code == 302
    assert client_for(staff.dave).post(admin_url("meeting", "delete", a1.pk),
                                       {"post": "yes"}).status_code == 302
    assert not Meeting.objects.filter(pk=a1.pk).exists()
    assert Meeting.history.filter(id=a1.pk, history_type="-").get().history_user == staff.dave
    # A secretary cannot write the county's rules; county staff can, with history.
    rule = MeetingRule.objects.get(meeting_type=library["theme_day"])
    rule_data = {"rhythm": "month", "minimum": 2, "levels": ["branch"], "valid_from": 2014,
                 "valid_to": "", "is_active": "on"}
    assert client_for(staff.dave).post(admin_url("meetingrule", "change", rule.pk),
                                       rule_data).status_code == 403
    assert client_for(staff.dave).get(admin_url("meetingrule", "add")).status_code == 403
    assert client_for(staff.alice).post(admin_url("meetingrule", "change", rule.pk),
                                        rule_data).status_code == 302
    rule.refresh_from_db()
    assert (rule.minimum, rule.levels) == (2, ["branch"])
    assert rule.history.first().history_user == staff.alice


def test_county_staff_add_a_type_and_a_rule(client_for, staff, library, county):
    client = client_for(staff.alice)
    form = client.get(admin_url("meetingtype", "add")).context["adminform"].form
    assert list(form.fields["owner"].queryset) == [county.county]
    data = {"owner": county.county.pk, "code": "theme_day", "name": "主题党日", "ordering": 9,
            "is_active": "on"}
    assert client.post(admin_url("meetingtype", "add"), data).status_code == 200  # code taken
    data.update(code="village_affairs", name="村务联席会")
    assert client.post(admin_url("meetingtype", "add"), data).status_code == 302
    new = MeetingType.objects.get(code="village_affairs")
    rule = {"owner": county.county.pk, "meeting_type": new.pk, "rhythm": "quarter", "minimum": 1,
            "levels": ["branch"], "valid_from": 2026, "valid_to": 2025, "is_active": "on"}
    assert client.post(admin_url("meetingrule", "add"), rule).status_code == 200  # years reversed
    rule.update(valid_to="")
    assert client.post(admin_url("meetingrule", "add"), rule).status_code == 302
    rule.update(meeting_type=library["theme_day"].pk, rhythm="month")
    assert client.post(admin_url("meetingrule", "add"), rule).status_code == 200  # one already
    assert MeetingRule.objects.count() == 8
    assert client_for(staff.bob).get(admin_url("meetingtype", "add")).status_code == 403


def test_attachments_are_read_only_links_to_the_checked_download(client_for, staff, meetings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x01" * 2
           + b"\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00\x00\x00\x00IEND\xaeB`\x82")
    attachment = services.attachment_add(
        meeting=meetings["a1"], uploaded_file=SimpleUploadedFile("签到表.png", png), by=staff.dave)
    page = client_for(staff.bob).get(admin_url("meeting", "change", meetings["a1"].pk))
    html = page.content.decode()
    assert reverse("meetings:attachment_download", args=[attachment.pk]) in html
    assert "签到表.png" in html
    assert attachment.file.url not in html


def test_bindings_by_county_staff(client_for, staff, library, county):
    number = std.ItemSpec(dimension="组织生活正常化", code="T-05", requirement="每月开展主题党日",
                          kind="number", comparator=">=", threshold=Decimal(12), unit="次/年",
                          max_score=Decimal(3))
    check = std.ItemSpec(dimension="组织生活正常化", code="T-06", requirement="有制度", kind="check",
                         max_score=Decimal(1))
    standard_set = std.set_create(organization=county.county, code="t", name="测试", year=2026,
                                  by=staff.alice)
    items = std.set_fill(standard_set=standard_set, items=[number, check], by=staff.alice)
    client = client_for(staff.alice)
    form = client.get(admin_url("itembinding", "add")).context["adminform"].form
    assert [i.code for i in form.fields["item"].queryset] == ["T-05"]  # number items only
    data = {"item": items[0].pk, "meeting_type": library["theme_day"].pk}
    assert client_for(staff.dave).post(admin_url("itembinding", "add"), data).status_code == 403
    assert client_for(staff.alice).post(admin_url("itembinding", "add"), data).status_code == 302
    binding = ItemBinding.objects.get()
    assert shown(client_for(staff.dave).get(admin_url("itembinding"))) == [binding.pk]  # reads
    assert shown(client_for(other_county().zoe).get(admin_url("itembinding"))) == []


def test_non_staff_and_roleless_staff_see_nothing(client_for, people, meetings):
    assert client_for(people.harry).get(admin_url("meeting")).status_code == 302  # not is_staff
    people.nobody.is_staff = True
    people.nobody.save()
    assert client_for(people.nobody).get(admin_url("meeting")).status_code == 403
