"""The demo county's rectification: problems from the demo campaign, tasks in every state,
and a 3+1 pairing for each lagging branch.

After the demo campaign (assessments/demo.py): problems_sync turns the reviewed and
accepted self-checks' shortfalls into problems; about ten organizations get tasks for
their worst problems, owned by their branch secretaries (by name) under their committee's
secretary as leader, due on the 倒排 default — and then moved through the services into
every state a real county shows: open, in progress with reports, waiting for the check,
closed after a check, one closing rejected and the work reopened, a few overdue. The
demo secretary's own branch has two tasks of its own (from a 督查 visit) to report on.

Each of the four lagging branches (orgs/demo/county.py LAGGING_CODES) is paired with a
county leader, its committee's secretary and an organization-department cadre; the demo
`helper` login is the cadre of 东坝镇's. The other helpers are demo users created here
(with the helper's demo password, not printed as logins). Pairings begin 45 days back
(created_at moved after the insert) so the timeline has done and overdue lines and the
visit log has entries that fall after the start.

Idempotent: tasks are made only if the demo county has none, a pairing only for a branch
without one; problems_sync makes each problem once. One transaction.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessments.demo import NAME, SECRETARY_BRANCH, YEAR
from assessments.models import AssessmentStatus, Campaign
from orgs.demo.county import LAGGING_CODES, LOGINS
from orgs.demo.loader import _ensure_user
from orgs.models import Organization

from . import services
from .models import (
    Milestone,
    Pairing,
    Problem,
    ProblemSource,
    RectificationTask,
    Severity,
    overdue_q,
)

TASK_ORGS = 10
TASKS_PER_ORG = 3
STEP = Organization.steplen
# What happens to the n-th task (cycled): every state, some past their deadline.
SCENARIOS = ["open", "progress", "awaiting", "closed", "progress", "overdue", "closed",
             "progress", "awaiting", "overdue_progress", "open", "closed"]
REJECTED_AT = 7  # the one task whose closing is rejected and the work reopened
MEASURES = [
    "召开支部委员会专题研究，制定整改方案，明确时间节点，{req}",
    "对照标准逐项补齐台账资料，{req}，整改完成后上传佐证材料",
    "由支部书记牵头，党员骨干分工落实，{req}",
    "结合主题党日集中整改，{req}，接受党员群众监督",
]
REPORTS = [
    ("已召开支委会研究整改方案，明确分工。", 30),
    ("整改措施已落实大半，相关台账正在补齐。", 60),
    ("已全部整改到位，会议记录、照片等佐证材料已整理归档。", 100),
]
REJECTION = "佐证材料不全：缺少会议记录原件照片和党员签到表，请补充后重新申请销号。"
ACCEPTANCE = "经现场查看和查阅台账，整改到位，同意销号。"
INSPECTION_PROBLEMS = [
    ("督查发现：党员活动室制度上墙不全，党员积分管理台账未按月更新。", Severity.MEDIUM,
     "补齐活动室上墙制度，按月更新党员积分管理台账", "progress"),
    ("督查发现：2026年第三季度未按时召开党员大会。", Severity.HIGH,
     "第四季度召开党员大会，并补学第三季度应学内容", "open"),
]

COUNTY_LEADERS = [
    ("qh-leader-1", "县委副书记 张建华"),
    ("qh-leader-2", "县委常委、组织部部长 刘振华"),
    ("qh-leader-3", "副县长 陈立新"),
    ("qh-leader-4", "县人大常委会副主任 赵秀芳"),
]
CADRES = [None, ("qh-cadre-2", "组工干部 何丽"), ("qh-cadre-3", "组工干部 马俊杰"),
          ("qh-cadre-4", "组工干部 罗慧敏")]  # the first is the demo helper login
HELPER_LOGIN = next(row for row in LOGINS if row[0] == "helper")
PAIRED_DAYS_AGO = 45
GOAL = "【定目标】到{target}，支部班子配齐配强，“三会一课”规范开展，年度考核晋升为一般等次。"
PEOPLE = ("【定人员】县级领导统筹协调、每季度到村调研一次；党委书记落实属地责任、每月到村指导；"
          "组工干部驻点包联，每两周到村一次。")
STEPS = ("【定措施】补选支部书记，调整支委分工；建立“三会一课”和主题党日台账；"
         "改造党员活动室；发展一名年轻党员。")
CONVERSION = "【帮转化】按推进表逐月对账，年底前申请考核验收，力争晋位升级。"
MILESTONES = [
    ("调整配强支部班子，补选支部书记", -31, -33),  # (title, due in days from today, done)
    ("建立“三会一课”台账，按月开展主题党日", -5, None),
    ("党员活动室改造提升，面积达标", 60, None),
    ("迎接年度考核验收，申请晋位升级", None, None),  # due on the target date
]
VISITS = [
    (-30, "支部书记空缺已两个月，支委分工不明，“三会一课”记录缺失。",
     "与镇党委商定补选人选，指导召开支部党员大会补选书记。"),
    (-9, "新任书记已到岗，台账建立了一半，活动室仍被村委会占用作仓库。",
     "协调腾退活动室，明确月底前完成台账。"),
]


@dataclass
class DemoRectification:
    problems: int = 0
    tasks_created: int = 0
    pairings_created: int = 0
    by_status: dict = field(default_factory=dict)
    overdue: int = 0
    pairings: int = 0

    @property
    def created(self):
        return bool(self.problems or self.tasks_created or self.pairings_created)


def load_demo_rectification(*, root, by) -> DemoRectification:
    """`by` is the demo admin; the demo county, committee and secretary logins act where
    they would. Nothing happens before the demo campaign exists."""
    result = DemoRectification()
    campaign = Campaign.objects.filter(organization=root, name=NAME, year=YEAR).first()
    if campaign is None:
        return summarise(root, result)
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["county", "committee", "secretary", "helper"])}
    county = users.get("county", by)
    with transaction.atomic():
        result.problems = services.problems_sync(by=county)
        if not RectificationTask.objects.filter(organization__path__startswith=root.path).exists():
            result.tasks_created = _tasks(campaign, root=root, by=by, county=county,
                                          committee=users.get("committee", by),
                                          secretary=users.get("secretary"))
        result.pairings_created = _pairings(campaign, by=by, county=county,
                                            helper=users.get("helper"))
    return summarise(root, result)


def summarise(root, result=None):
    result = result or DemoRectification()
    tasks = RectificationTask.objects.filter(organization__path__startswith=root.path)
    result.by_status = dict(tasks.values_list("status").annotate(n=Count("pk")).order_by())
    result.overdue = tasks.filter(overdue_q()).count()
    result.pairings = Pairing.objects.filter(organization__path__startswith=root.path).count()
    return result


# ---------------------------------------------------------------- tasks


def _committee_of(org, committees):
    return committees.get(org.path[: 2 * STEP])


def _task_orgs(campaign):
    """About ten organizations with problems from the campaign: the lagging ones first,
    then 东坝镇's (the demo committee's), then the rest by code."""
    with_problems = (
        Organization.objects.filter(
            problems__assessment__campaign=campaign,
            problems__source=ProblemSource.ASSESSMENT,
        ).distinct().order_by("code")
    )
    orgs = list(with_problems)

    def key(org):
        return (org.code not in LAGGING_CODES, not org.code.startswith("QH02-"), org.code)

    return sorted(orgs, key=key)[:TASK_ORGS]


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


def _tasks(campaign, *, root, by, county, committee, secretary):
    today = timezone.localdate()
    orgs = _task_orgs(campaign)
    committees = {o.path: o for o in Organization.objects.filter(
        path__startswith=root.path, depth=2)}
    problems = {}
    for p in Problem.objects.filter(
        organization__in=orgs, assessment__campaign=campaign, source=ProblemSource.ASSESSMENT
    ).select_related("item", "assessment__campaign").order_by("item__code"):
        problems.setdefault(p.organization_id, []).append(p)
    made = 0
    for org in orgs:
        town = _committee_of(org, committees)
        own_committee = org.code.startswith("QH02-")
        staff = committee if own_committee else county
        worst = sorted(problems.get(org.pk, []), key=lambda p: SEVERITY_ORDER[p.severity])
        for problem in worst[:TASKS_PER_ORG]:
            scenario = "rejected" if made == REJECTED_AT else SCENARIOS[made % len(SCENARIOS)]
            requirement = (problem.item.requirement if problem.item else problem.description)[:40]
            measure = MEASURES[made % len(MEASURES)].format(req=f"确保“{requirement}”达标")
            _make_task(problem, scenario, today=today, measure=measure,
                       responsible_name=org.secretary_name or "支部书记",
                       leader_name=town.secretary_name if town else "",
                       staff=staff, reporter=by)
            made += 1
    made += _secretary_tasks(today=today, committee=committee, secretary=secretary,
                             committees=committees)
    return made


def _make_task(problem, scenario, *, today, measure, responsible_name, leader_name, staff,
               reporter, responsible=None):
    if scenario.startswith("overdue"):
        # Started ten weeks ago and due two weeks ago: still not closed.
        starts_on, deadline = today - timedelta(weeks=10), today - timedelta(weeks=2)
    else:
        starts_on, deadline = today - timedelta(weeks=3), services.default_deadline(problem, today)
    task = services.task_create(
        problem=problem, measure=measure, responsible_name=responsible_name,
        responsible=responsible, leader_name=leader_name, by=staff,
        starts_on=starts_on, deadline=deadline,
    )
    reports = {"open": 0, "overdue": 0, "progress": 2, "overdue_progress": 1, "awaiting": 3,
               "closed": 3, "rejected": 3}[scenario]
    for text, progress in REPORTS[:reports]:
        services.task_report(task=task, by=reporter, text=text, progress=progress)
    if scenario in ("awaiting", "closed", "rejected"):
        services.task_request_close(task=task, by=reporter)
    if scenario == "closed":
        services.task_check(task=task, by=staff, accepted=True, comment=ACCEPTANCE)
    elif scenario == "rejected":
        # Rejected, back to work, and reported on again: a reopened task.
        services.task_check(task=task, by=staff, accepted=False, comment=REJECTION)
        services.task_report(task=task, by=reporter, progress=90,
                             text="已补充会议记录原件照片和签到表，待再次申请销号。")
    return task


def _secretary_tasks(*, today, committee, secretary, committees):
    """Two tasks of the demo secretary's own branch (found by a 督查 visit), theirs to report on."""
    org = Organization.objects.filter(code=SECRETARY_BRANCH).first()
    if org is None or secretary is None:
        return 0
    town = _committee_of(org, committees)
    for description, severity, measure, scenario in INSPECTION_PROBLEMS:
        problem = services.problem_create(
            organization=org, description=description, by=committee, severity=severity,
            source=ProblemSource.INSPECTION, found_on=today - timedelta(weeks=4),
        )
        _make_task(problem, scenario, today=today, measure=measure,
                   responsible_name=secretary.display_name, responsible=secretary,
                   leader_name=town.secretary_name if town else "", staff=committee,
                   reporter=secretary)
    return len(INSPECTION_PROBLEMS)


# ---------------------------------------------------------------- 3+1 pairings


def _helper_user(username, full_name, by):
    user, _created = _ensure_user(username, HELPER_LOGIN[1], by, full_name=full_name)
    return user


def _pairings(campaign, *, by, county, helper):
    today = timezone.localdate()
    started = today - timedelta(days=PAIRED_DAYS_AGO)
    target = date(today.year + 1, 6, 30)
    orgs = {o.code: o for o in Organization.objects.filter(code__in=LAGGING_CODES)}
    paired = set(Pairing.objects.filter(organization__code__in=LAGGING_CODES)
                 .values_list("organization__code", flat=True))
    baselines = {a.organization.code: a for a in campaign.assessments.filter(
        organization__code__in=LAGGING_CODES, status=AssessmentStatus.ACCEPTED,
    ).select_related("organization")}
    made = 0
    for index, code in enumerate(LAGGING_CODES):
        org = orgs.get(code)
        if org is None or code in paired or code not in baselines:
            continue
        committee = Organization.objects.get(path=org.path[: 2 * STEP])
        leader = _helper_user(*COUNTY_LEADERS[index], by)
        secretary = _helper_user(
            f"{committee.code.lower()}-secretary",
            f"{committee.name}书记 {committee.secretary_name}", by,
        )
        cadre = helper if index == 0 and helper is not None else _helper_user(
            *(CADRES[index] or ("qh-cadre-1", "组工干部 孙海")), by)
        milestones = [(title, target if due is None else today + timedelta(days=due))
                      for title, due, _done in MILESTONES]
        pairing = services.pairing_create(
            organization=org, county_leader=leader, committee_secretary=secretary, cadre=cadre,
            target_date=target, by=county, baseline=baselines[code],
            measures="\n".join([GOAL.format(target=f"{target.year}年{target.month}月"), PEOPLE,
                                STEPS, CONVERSION]),
            milestones=milestones,
        )
        # The pairing began weeks ago (see the module docstring): no history to rewrite.
        Pairing.objects.filter(pk=pairing.pk).update(
            created_at=timezone.make_aware(datetime.combine(started, time(9)))
        )
        for title, _due, done in MILESTONES:
            # The first two pairings are behind on the second line (overdue); the others kept up.
            if done is None and not (title == MILESTONES[1][0] and index >= 2):
                continue
            done_on = today + timedelta(days=done if done is not None else -7)
            Milestone.objects.filter(pairing=pairing, title=title).update(done_on=done_on)
        visits = VISITS[: 2 if index == 0 else (1 if index < 3 else 0)]
        for (days, found, solved), who in zip(visits, (cadre, leader), strict=False):
            services.visit_log(pairing=pairing, by=who, visited_on=today + timedelta(days=days),
                               found=found, solved=solved)
        made += 1
    return made
