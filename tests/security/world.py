"""One small world for the security tests: the test county of tests/conftest.py with
something of every kind at each branch, plus a second county (外县) nobody but the
superuser may see.

    县委 C ─┬─ A (town) ─┬─ A1  dave's branch        外县 D ── DA (town) ── D1
            │            └─ A2  erin's; harry helps
            └─ B (town) ─── B1

Objects are keyed by the organization they belong to (`world.objs[kind][key]`, key one of
"C", "A", "B", "A1", "A2", "B1", "D", "DA", "D1"); per-user objects (notifications,
export jobs) by user name. Built once per module by `build_world()`.
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile

from assessments import services as cycle
from assessments.models import Evidence, SpotCheckSample
from exports.models import ExportJob, ExportStatus
from funding import services as money
from funding.models import Allocation, Disbursement, FundingPolicy
from meetings import services as log
from meetings.models import ItemBinding, MeetingAttachment, MeetingType
from orgs.models import Level, Role
from rectification import services as rect
from rectification.models import Milestone, TaskUpdate
from standards import services as std
from standards.models import StandardItem, StandardSet
from supervision.dispatch import compile_dispatches
from supervision.inspections import plan_inspections
from supervision.models import Dispatch, Inspection, InspectionSample, Notification

from ..assessments.conftest import SMALL_SET_ITEMS
from ..conftest import _persona
from ..factories import AssignmentFactory, OrganizationFactory, UserFactory, category

# Text only the superuser may ever read: found in a page or export of anyone else = a leak.
FOREIGN = "外县"
PDF = b"%PDF-1.4\n%matrix\n"
BRANCHES = ("A1", "A2", "B1", "D1")


def _orgs():
    c = OrganizationFactory(code="C", name="青禾县委", level=Level.COUNTY, category=None)
    a = OrganizationFactory(parent=c, code="A", name="东坝镇党委", level=Level.COMMITTEE, category=None)
    b = OrganizationFactory(parent=c, code="B", name="西湖乡党委", level=Level.COMMITTEE, category=None)
    a1 = OrganizationFactory(parent=a, code="A1", name="东坝村党支部")
    a2 = OrganizationFactory(parent=a, code="A2", name="柳树村党支部")
    b1 = OrganizationFactory(parent=b, code="B1", name="西湖社区党支部", category=category("community"))
    d = OrganizationFactory(code="D", name=f"{FOREIGN}县委", level=Level.COUNTY, category=None)
    da = OrganizationFactory(parent=d, code="DA", name=f"{FOREIGN}镇党委", level=Level.COMMITTEE,
                             category=None)
    d1 = OrganizationFactory(parent=da, code="D1", name=f"{FOREIGN}村党支部")
    orgs = {"C": c, "A": a, "B": b, "A1": a1, "A2": a2, "B1": b1, "D": d, "DA": da, "D1": d1}
    for org in orgs.values():
        org.refresh_from_db()
    return orgs


def _people(o):
    p = SimpleNamespace(
        alice=_persona("alice", "县委组织部 王敏", o["C"], Role.COUNTY_STAFF, is_staff=True),
        bob=_persona("bob", "东坝镇 李强", o["A"], Role.COMMITTEE_STAFF, is_staff=True),
        charlie=_persona("charlie", "西湖乡 赵刚", o["B"], Role.COMMITTEE_STAFF),
        dave=_persona("dave", "东坝村 陈书记", o["A1"], Role.SECRETARY),
        erin=_persona("erin", "柳树村 刘书记", o["A2"], Role.SECRETARY),
        harry=_persona("harry", "帮扶干部 孙海", o["A2"], Role.HELPER),
        victor=_persona("victor", "督查组 周丽", o["A"], Role.VIEWER),
        root=_persona("root", "超级管理员", is_superuser=True, is_staff=True),
        nobody=_persona("nobody", "无角色用户"),
        dora=_persona("dora", f"{FOREIGN}组织部", o["D"], Role.COUNTY_STAFF),
        dan=_persona("dan", f"{FOREIGN}书记", o["D1"], Role.SECRETARY),
        frank=_persona("frank", "西湖社区 书记", o["B1"], Role.SECRETARY),
    )
    return p


def _assessments(o, p, objs):
    for county, staff in (("C", p.alice), ("D", p.dora)):
        sset = std.set_create(organization=o[county], code=f"small-{county}", name=f"{county}五化",
                              year=2026, by=staff)
        specs = [std.ItemSpec(**vars(spec)) for spec in SMALL_SET_ITEMS]
        specs[-1].category_ids = [category("community").pk]
        std.set_fill(standard_set=sset, items=specs, by=staff)
        std.set_publish(standard_set=sset, by=staff)
        sset = objs["standard_set"][county] = StandardSet.objects.get(pk=sset.pk)
        objs["dimension"][county] = sset.dimensions.order_by("pk").first()
        objs["item"][county] = StandardItem.objects.filter(standard_set=sset).order_by("pk").first()
        campaign = cycle.campaign_create(
            name=f"{county}基层组织建设年", year=2026, standard_set=sset, organization=o[county],
            by=staff, self_check_deadline=date(2026, 4, 20), review_deadline=date(2026, 4, 30),
        )
        cycle.campaign_launch(campaign=campaign, by=staff)
        campaign.refresh_from_db()
        objs["campaign"][county] = campaign
        for a in campaign.assessments.select_related("organization"):
            objs["assessment"][a.organization.code] = a
        spot = cycle.spot_check_draw(campaign=campaign, by=staff, name="抽查", share=100, seed=7)
        objs["spot_check"][county] = spot
        for sample in SpotCheckSample.objects.filter(spot_check=spot).select_related(
                "assessment__organization"):
            objs["spot_sample"][sample.assessment.organization.code] = sample
    for key in BRANCHES:
        a = objs["assessment"][key]
        cycle.assessment_open(assessment=a, by=p.root)
        response = a.responses.filter(item__evidence_required=True).first() or a.responses.first()
        objs["response"][key] = response
        objs["evidence"][key] = Evidence.objects.create(
            response=response, file=ContentFile(PDF, name="e.pdf"), original_name=f"{key}.pdf",
            content_type="application/pdf", size=len(PDF), sha256="0" * 64,
            uploaded_by=p.dave)


def _rectification(o, p, objs):
    helpers = {key: [UserFactory(username=f"h{key.lower()}{i}") for i in range(3)] for key in BRANCHES}
    helpers["A2"][0] = p.harry
    for key in BRANCHES:
        staff = p.dora if key == "D1" else p.alice
        problem = rect.problem_create(organization=o[key], description=f"{o[key].name}的问题", by=staff,
                                      found_on=date(2026, 10, 1))
        task = rect.task_create(problem=problem, measure=f"整改{key}", responsible_name="负责人",
                                by=staff, deadline=date(2026, 12, 31), starts_on=date(2026, 11, 1))
        update = TaskUpdate.objects.create(task=task, text="进展", progress=10, by=staff,
                                           file=ContentFile(PDF, name="u.pdf"),
                                           original_name="u.pdf", content_type="application/pdf")
        objs["problem"][key], objs["task"][key], objs["update"][key] = problem, task, update
        h = helpers[key]
        pairing = rect.pairing_create(organization=o[key], county_leader=h[0], committee_secretary=h[1],
                                      cadre=h[2], target_date=date(2027, 6, 30), measures="三定一帮",
                                      by=staff, milestones=[("第一步", date(2026, 12, 31))])
        objs["pairing"][key] = pairing
        objs["milestone"][key] = Milestone.objects.get(pairing=pairing)


def _funding(o, p, objs):
    for county, staff in (("C", p.alice), ("D", p.dora)):
        money.load_policies(county=o[county], by=staff)
        objs["policy"][county] = FundingPolicy.objects.filter(owner=o[county]).order_by("pk").first()
        money.generate_allocations(root=o[county], year=2026, by=staff)
    for key in BRANCHES:
        allocation = Allocation.objects.filter(organization=o[key], year=2026).order_by("pk").first()
        objs["allocation"][key] = allocation
        objs["disbursement"][key] = money.disbursement_record(
            allocation=allocation, by=p.root, paid_on=date(2026, 3, 15), amount=Decimal("100.00"),
            voucher_no=f"PZ-{key}")
    assert Disbursement.objects.count() == len(BRANCHES)


def _meetings(o, p, objs):
    for county, staff in (("C", p.alice), ("D", p.dora)):
        log.load_library(county=o[county], by=staff)
        mtype = MeetingType.objects.filter(owner=o[county]).order_by("pk").first()
        item = StandardItem.objects.get(standard_set=objs["standard_set"][county], code="ZS-01")
        objs["binding"][county] = ItemBinding.objects.create(item=item, meeting_type=mtype)
    for key in BRANCHES:
        county = "D" if key == "D1" else "C"
        mtype = MeetingType.objects.filter(owner=o[county]).order_by("pk").first()
        meeting = log.meeting_record(organization=o[key], by=p.root, meeting_type=mtype,
                                     held_on=date(2026, 10, 15), topic=f"{key}学习", due=10, present=9)
        objs["meeting"][key] = meeting
        objs["attachment"][key] = MeetingAttachment.objects.create(
            meeting=meeting, file=ContentFile(PDF, name="m.pdf"), original_name="m.pdf",
            content_type="application/pdf", size=len(PDF), sha256="0" * 64, uploaded_by=p.root)


def _supervision(o, p, objs):
    compile_dispatches(date(2026, 11, 1))
    plan_inspections(date(2026, 10, 1))
    for key in ("A", "B", "DA"):
        objs["dispatch"][key] = Dispatch.objects.get(committee=o[key])
        objs["inspection"][key] = Inspection.objects.get(committee=o[key])
    for key, committee in (("A1", "A"), ("A2", "A"), ("B1", "B"), ("D1", "DA")):
        objs["inspection_sample"][key] = InspectionSample.objects.get_or_create(
            inspection=objs["inspection"][committee], organization=o[key],
            defaults={"reason": "random", "weight": 1})[0]
    for name, user in vars(p).items():
        objs["notification"][name] = Notification.objects.create(
            user=user, kind="task_due", key=f"matrix-{name}", sent_on=date(2026, 11, 22),
            title=f"提醒{name}", url="/")
        job = ExportJob.objects.create(user=user, key="matrix", title=f"导出{name}",
                                       filename="x.xlsx", status=ExportStatus.DONE)
        job.file.save("x.xlsx", ContentFile(b"PK\x03\x04"), save=True)
        objs["export_job"][name] = job


def _users(o, p, objs):
    """A user and an assignment at each branch (not a persona: their pages are the object)."""
    for key in BRANCHES:
        user = UserFactory(username=f"member{key.lower()}", full_name=f"{key}委员")
        objs["user"][key] = user
        objs["assignment"][key] = AssignmentFactory(user=user, organization=o[key], role=Role.VIEWER)


KINDS = ("standard_set", "dimension", "item", "campaign", "assessment", "spot_check", "spot_sample",
         "response", "evidence", "problem", "task", "update", "pairing", "milestone", "policy",
         "allocation", "disbursement", "binding", "meeting", "attachment", "dispatch", "inspection",
         "inspection_sample", "notification", "export_job", "user", "assignment")


def build_world():
    objs = {kind: {} for kind in KINDS}
    o = _orgs()
    objs["org"] = o
    p = _people(o)
    _assessments(o, p, objs)
    _rectification(o, p, objs)
    _funding(o, p, objs)
    _meetings(o, p, objs)
    _supervision(o, p, objs)
    _users(o, p, objs)
    return SimpleNamespace(orgs=o, people=p, objs=objs)
