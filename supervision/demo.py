"""The demo county's supervision: two months of dispatches, this quarter's inspections
under way, and the reminders the data calls for.

The three jobs run through services.run_job for `today`, as the schedule would have:
last month's dispatches, this quarter's inspection plans, and — run for the 1st of
last month — the month before last's dispatches, so the board has history. Then the
county is made to look lived-in:

- the month before last: every committee wrote its notes and submitted before the
  10th (the demo admin stands in for the committees without a demo login);
- last month: the demo `committee` login's 东坝镇党委 (QH02) has written its notes and
  left the dispatch as a draft; three other committees have submitted, the third
  after its due date (late). Before the 12th of the month that cannot have happened
  yet, so then the late one is the third committee's dispatch of the month before;
- the demo `county` and `viewer` logins inspect 东坝镇 and 西湖乡 this quarter; at
  东坝镇 they have visited two sampled organizations and recorded two findings at the
  first (problems with source 督查, for the committee to rectify); the rest is planned.

Compiling and submitting are dated as they would have happened (the 1st at 01:10, a
few days before the 10th), history included: created_at-style fields are moved after
the insert, as rectification/demo.py does for pairings. The demo logins keep no
e-mail address, so the reminders stay in-app (no console mail on the dev server).

Idempotent: a job already run for its day is not run again; a month is worked on only
while none of its dispatches has notes or is submitted; the inspectors are assigned and
the visits recorded only while no demo inspection of the quarter has inspectors or
findings. The reminders run again only when today's have not run or something changed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.demo.county import LOGINS
from rectification.models import Problem, Severity

from . import inspections, services
from .models import (
    Dispatch,
    DispatchStatus,
    Inspection,
    InspectionFinding,
    InspectionSample,
    Job,
    JobRun,
    Notification,
    RunStatus,
)
from .rules import dispatch_due, month_end, previous_month, quarter_start

DRAFT_CODE = "QH02"  # the demo committee login's committee: notes written, not submitted
SUBMITTED_CODES = ("QH01", "QH03", "QH04")  # last month; the last one late
INSPECTED_CODES = ("QH02", "QH03")  # the demo county and viewer logins inspect these
COMPILED_AT = time(1, 10)  # the schedule's hour (migration 0002)
VISITS = [
    (6, "查阅“三会一课”记录、党员积分台账，走访党员群众5人，发现问题2个，已当场反馈支部书记。"),
    (2, "查阅台账、察看党员活动室，组织生活开展正常，未发现明显问题。"),
]
FINDINGS = [
    ("督查发现：第三季度支委会记录缺2次，专题党课无讲稿和签到表。", Severity.MEDIUM),
    ("督查发现：党员积分管理台账未按月更新，部分党员积分无佐证材料。", Severity.LOW),
]
SITUATIONS = [
    "对照年度任务清单逐项推进，各支部“三会一课”按计划开展",
    "围绕分类定级自查，逐村逐社区对照标准查找差距",
    "聚焦后进支部整顿，3+1帮扶干部按月到村指导",
    "结合主题党日开展集中整改，整改台账按周更新",
]
SHORTCOMINGS = [
    "个别村党支部台账资料补录不及时，佐证材料不够规范",
    "少数流动党员参加组织生活不够经常，线上学习记录不全",
    "部分支部书记对整改销号要求把握不准，申请销号材料不全",
    "村级活动场所使用效率不高，个别场所被挪作他用",
]
PLANS = [
    "下月逐村督导台账规范化，月底前完成问题整改对账销号",
    "召开支部书记推进会，对逾期整改任务逐项约谈",
    "组织镇村干部交叉检查，确保自查按时提交",
    "落实经费拨付进度，保障村级组织运转经费按时足额到位",
]


@dataclass
class DemoSupervision:
    jobs_run: int = 0
    dispatches_worked: int = 0
    inspections_worked: int = 0
    findings_created: int = 0
    # The summary (filled whether or not anything was made).
    months: list = field(default_factory=list)  # [(period, total, submitted, late, drafts)]
    quarter: str = ""
    inspections: int = 0
    samples: int = 0
    with_inspectors: int = 0
    visited: int = 0
    findings: int = 0
    day: date | None = None
    notifications: int = 0

    @property
    def created(self):
        return bool(self.jobs_run or self.dispatches_worked or self.inspections_worked
                    or self.findings_created)


def load_demo_supervision(*, root, by, today=None) -> DemoSupervision:
    """`by` is the demo admin; the demo county, committee and viewer logins act where they
    would. `today` defaults to today (tests pass a day)."""
    today = today or timezone.localdate()
    result = DemoSupervision()
    logins = {row[0] for row in LOGINS}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=logins)}
    county, committee = users.get("county", by), users.get("committee", by)
    last = previous_month(today)
    before = previous_month(last)
    for job, run_for in ((Job.DISPATCH, today), (Job.DISPATCH, last), (Job.INSPECTION, today)):
        if not _ran(job, run_for):
            services.run_job(job=job, run_for=run_for)
            result.jobs_run += 1
    with transaction.atomic():
        result.dispatches_worked += _month_before(root, before, by=by, committee=committee,
                                                  late=today < dispatch_due(last) + timedelta(days=2))
        result.dispatches_worked += _last_month(root, last, today, by=by, committee=committee)
        worked, found = _inspections(root, today, county=county, viewer=users.get("viewer"))
        result.inspections_worked, result.findings_created = worked, found
    if not _ran(Job.REMINDERS, today) or result.created:
        services.run_job(job=Job.REMINDERS, run_for=today)
        result.jobs_run += 1
    return summarise(root, today, result)


def _ran(job, run_for) -> bool:
    return JobRun.objects.filter(job=job, run_for=run_for, status=RunStatus.SUCCEEDED).exists()


def _at(day: date, hour: int, minute: int = 0):
    """An aware moment on `day`; never later than now (a demo loaded at 7 in the morning
    has not had its 10 o'clock yet)."""
    moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    return min(moment, timezone.now()) if day >= timezone.localdate() else moment


# ---------------------------------------------------------------- dispatches


def _month_qs(root, period):
    return Dispatch.objects.filter(period=period, committee__path__startswith=root.path) \
        .select_related("committee").order_by("committee__path")


def _untouched(qs) -> bool:
    return not qs.filter(Q(status=DispatchStatus.SUBMITTED) | ~Q(notes="")).exists()


def _notes(dispatch, index):
    f = dispatch.figures or {}

    def n(section, line):
        return f.get(section, {}).get(line, 0)

    return (
        f"一、基本情况：{dispatch.period.month}月，{dispatch.committee.name}{SITUATIONS[index % 4]}。"
        f"应提交自查{n('self_checks', 'due')}个、已提交{n('self_checks', 'done')}个；"
        f"新发现问题{n('problems', 'found')}个，整改任务新开{n('tasks', 'opened')}项、"
        f"销号{n('tasks', 'closed')}项，月末逾期{n('tasks', 'overdue')}项；"
        f"3+1结对帮扶{n('pairings', 'active')}个，走访{n('pairings', 'visits')}次。\n"
        f"二、存在问题：{SHORTCOMINGS[index % 4]}。\n"
        f"三、下步打算：{PLANS[index % 4]}。"
    )


def _compiled_at(period):
    return _at(month_end(period) + timedelta(days=1), COMPILED_AT.hour, COMPILED_AT.minute)


def _date_it(dispatch, *, submitted_at=None):
    """Move the compile (and the submission) to when they would have happened, history too."""
    compiled_at = min(dispatch.compiled_at, _compiled_at(dispatch.period))
    fields = {"compiled_at": compiled_at}
    if submitted_at is not None:
        fields["submitted_at"] = submitted_at
    Dispatch.objects.filter(pk=dispatch.pk).update(**fields)
    history = Dispatch.history.filter(id=dispatch.pk)
    history.filter(history_type="+").update(history_date=compiled_at)
    if submitted_at is not None:
        latest = history.order_by("-history_id").first()
        if latest is not None and latest.history_type == "~":
            history.filter(history_id=latest.history_id).update(history_date=submitted_at)


def _submit(dispatch, index, *, by, when):
    services.dispatch_submit(dispatch=dispatch, by=by, notes=_notes(dispatch, index))
    _date_it(dispatch, submitted_at=when)


def _month_before(root, period, *, by, committee, late) -> int:
    """Every committee submitted, a few days before the 10th (one after it if `late`)."""
    qs = _month_qs(root, period)
    if not _untouched(qs):
        return 0
    made = 0
    for index, dispatch in enumerate(qs):
        if late and dispatch.committee.code == SUBMITTED_CODES[-1]:
            when = _at(dispatch.due_on + timedelta(days=2), 17, 20)
        else:
            when = _at(dispatch.due_on - timedelta(days=1 + index % 5), 9 + index % 8, 5 * index % 60)
        who = committee if dispatch.committee.code == DRAFT_CODE else by
        _submit(dispatch, index, by=who, when=when)
        made += 1
    return made


def _last_month(root, period, today, *, by, committee) -> int:
    """QH02's notes in its draft; three committees submitted, the third late when it can be."""
    qs = _month_qs(root, period)
    if not _untouched(qs):
        return 0
    made = 0
    compiled_on = month_end(period) + timedelta(days=1)
    for index, dispatch in enumerate(qs):
        code = dispatch.committee.code
        if code == DRAFT_CODE:
            services.dispatch_save_notes(dispatch=dispatch, by=committee,
                                         notes=_notes(dispatch, index))
            _date_it(dispatch)
        elif code in SUBMITTED_CODES:
            rank = SUBMITTED_CODES.index(code)
            if rank == len(SUBMITTED_CODES) - 1 and today >= dispatch.due_on + timedelta(days=2):
                day = min(dispatch.due_on + timedelta(days=3), today - timedelta(days=1))
                when = _at(day, 16, 40)
            else:
                day = dispatch.due_on - timedelta(days=3 - rank)
                day = max(compiled_on, min(day, today - timedelta(days=1)))
                when = _at(day, 10 + rank, 15)
            _submit(dispatch, index, by=by, when=when)
        else:
            _date_it(dispatch)
            continue
        made += 1
    return made


# ---------------------------------------------------------------- inspections


def _inspections(root, today, *, county, viewer):
    """(inspections worked on, findings made)."""
    period = quarter_start(today)
    quarter = Inspection.objects.filter(period=period, committee__path__startswith=root.path)
    if quarter.filter(inspectors__isnull=False).exists() or InspectionFinding.objects.filter(
        sample__inspection__in=quarter
    ).exists():
        return 0, 0
    plans = {i.committee.code: i for i in quarter.filter(committee__code__in=INSPECTED_CODES)
             .select_related("committee")}
    people = [u for u in (county, viewer) if u is not None]
    worked = 0
    for code in INSPECTED_CODES:
        if code in plans:
            inspections.inspectors_set(inspection=plans[code], by=county, users=people)
            worked += 1
    target = plans.get(INSPECTED_CODES[0])
    if target is None:
        return worked, 0
    samples = list(InspectionSample.objects.filter(inspection=target)
                   .select_related("organization", "inspection").order_by("organization__path"))
    found = 0
    for (days_ago, note), sample in zip(VISITS, samples, strict=False):
        visited_on = max(period, today - timedelta(days=days_ago))
        inspections.sample_visited(sample=sample, by=county, inspected_on=visited_on, note=note)
        if days_ago != VISITS[0][0]:
            continue
        for description, severity in FINDINGS:
            finding = inspections.finding_record(sample=sample, by=county,
                                                 description=description, severity=severity)
            Problem.objects.filter(pk=finding.problem_id).update(found_on=visited_on)
            found += 1
    return worked, found


# ---------------------------------------------------------------- summary


def summarise(root, today, result=None) -> DemoSupervision:
    result = result or DemoSupervision()
    last = previous_month(today)
    result.months = []
    for period in (previous_month(last), last):
        rows = list(_month_qs(root, period))
        submitted = [d for d in rows if d.status == DispatchStatus.SUBMITTED]
        result.months.append((period, len(rows), len(submitted),
                              sum(services.is_late(d, today) for d in submitted),
                              len(rows) - len(submitted)))
    period = quarter_start(today)
    result.quarter = f"{period.year}Q{(period.month - 1) // 3 + 1}"
    quarter = Inspection.objects.filter(period=period, committee__path__startswith=root.path)
    result.inspections = quarter.count()
    samples = InspectionSample.objects.filter(inspection__in=quarter)
    counts = samples.aggregate(n=Count("pk"), visited=Count("pk", filter=Q(inspected_on__isnull=False)))
    result.samples, result.visited = counts["n"], counts["visited"]
    result.with_inspectors = quarter.filter(inspectors__isnull=False).distinct().count()
    result.findings = InspectionFinding.objects.filter(sample__inspection__in=quarter).count()
    result.day = today
    result.notifications = Notification.objects.filter(sent_on=today).count()
    return result


def summary_rows(result: DemoSupervision) -> list[tuple[str, str]]:
    """(what, how many) lines for load_demo's table."""
    rows = [
        (_("Monthly dispatches %(month)s") % {"month": f"{period:%Y-%m}"},
         _("%(total)d committees: %(submitted)d submitted (%(late)d late), %(drafts)d drafts")
         % {"total": total, "submitted": submitted, "late": late, "drafts": drafts})
        for period, total, submitted, late, drafts in result.months
    ]
    rows.append((
        _("Quarterly inspections %(quarter)s") % {"quarter": result.quarter},
        _("%(n)d plans, %(samples)d organizations sampled; %(assigned)d with inspectors, "
          "%(visited)d visited, %(findings)d finding(s)")
        % {"n": result.inspections, "samples": result.samples, "assigned": result.with_inspectors,
           "visited": result.visited, "findings": result.findings},
    ))
    rows.append((_("Reminders on %(day)s") % {"day": result.day.isoformat() if result.day else ""},
                 _("%(n)d notification(s)") % {"n": result.notifications}))
    return rows
