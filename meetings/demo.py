"""The demo county's meeting log: the shipped rules, and about ten months of meetings.

青禾县 gets the shipped library (services.load_library). Then the branches of four
committees get their 三会一课, 主题党日, 组织生活会 and 民主评议 from the first of the
month ten months back — and from January of the year the named gap falls in, so that
year's compliance table is whole — up to today:

- 东坝镇党委 (QH02), the demo `committee` login's, keeps every rule in every branch,
  except that the demo `secretary` login's 柳树村党支部 (QH02-002) did not hold last
  July's 支部委员会: its compliance table names exactly that one meeting;
- 城关镇 (QH01), 西湖乡 (QH03) and 新城街道 (QH08) have gaps, more of them in the branches
  graded 后进, and some have not held this month's 主题党日 (the reminder from the 20th).

Meetings are bulk-created with their history (recorded by the branch's secretary login
where the demo has one, else by the demo admin), so the load takes a second or two.
Which meetings a branch holds is drawn from a generator seeded by its code, the month and
the type, so a rerun plans the same meetings and skips the ones that exist: it adds
nothing on the same day. The 五化 set's 主题党日 item (WH2-TY-05) is bound to the
theme-day type, so the demo self-checks read their count from the log.
"""

import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from orgs.demo.county import LAGGING_CODES
from orgs.demo.loader import SURNAMES
from orgs.models import BRANCH_LEVELS, Assignment, Organization, Role
from orgs.scoping import subtrees_q
from standards.models import ItemKind, StandardItem

from . import services
from .models import ItemBinding, Meeting, MeetingRule, MeetingType, Rhythm

FULL_CODE = "QH02"  # every rule kept, but for the one gap below
GAPPY_CODES = ("QH01", "QH03", "QH08")
SECRETARY_BRANCH = "QH02-002"  # the demo secretary login's branch
GAP_TYPE = "branch_committee"  # its one missing meeting: last July's 支委会
GAP_MONTH = 7
MONTHS_BACK = 10
SKIP_SHARE, LAGGING_SKIP_SHARE = 0.08, 0.3
WUHUA_CODE = "wuhua"
THEME_DAY_ITEM = "WH2-TY-05"  # 组织生活正常化: 每月相对固定1天开展主题党日 (number, 次/年)
REASON = "演示数据"

PLACES = {
    "village": "村党群服务中心会议室", "community": "社区党群服务中心", "government": "机关党员活动室",
    "mobile": "线上视频会议", "school": "学校党员活动室",
}
TOPICS = {
    "branch_committee": ["研究本月党建重点工作", "讨论发展党员工作计划", "研究党员积分评定", "研究整改任务推进",
                         "讨论村级重大事项“四议两公开”", "研究困难党员走访慰问"],
    "group_meeting": ["学习党的创新理论", "交流学习心得体会", "传达上级会议精神", "讨论党员责任区工作"],
    "theme_day": ["重温入党誓词", "志愿服务进网格", "环境整治集中行动", "参观红色教育基地", "政策宣讲进农户",
                  "关爱老党员走访"],
    "branch_assembly": ["通报支部季度工作", "讨论接收预备党员", "听取党费收缴情况报告", "审议年度工作计划"],
    "party_lecture": ["书记讲党课：坚定理想信念", "专题党课：学习党章党规", "党课：发扬优良作风",
                      "党课：服务群众办实事"],
    "life_meeting": ["年度组织生活会：对照检查、批评与自我批评"],
    "member_review": ["年度民主评议党员"],
}
# The day of the month each type is held around (主题党日 on a fixed day, 相对固定1天).
DAYS = {"branch_committee": 3, "group_meeting": 8, "theme_day": 15, "branch_assembly": 22,
        "party_lecture": 25, "life_meeting": 18, "member_review": 12}
# The month of the quarter / year a quarterly or yearly meeting falls in.
QUARTER_MONTH = {"branch_assembly": 2, "party_lecture": 3}  # 2nd and 3rd month of the quarter
YEAR_MONTH = {"life_meeting": 1, "member_review": 2}
REASONS = ["外出务工", "生病住院", "年老体弱", "在外地就医", "请事假"]


@dataclass
class DemoMeetings:
    types: int = 0
    rules: int = 0
    meetings: int = 0
    bindings: int = 0
    branches: int = 0
    committees: int = 0
    gap: str = ""  # the demo secretary's branch's missing meeting: "2026年7月 支部委员会"

    @property
    def created(self):
        return bool(self.types or self.rules or self.meetings or self.bindings)


def _months(start: date, today: date):
    year, month = start.year, start.month
    while (year, month) <= (today.year, today.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def gap_month(today: date) -> date:
    """The last July that has ended by `today`."""
    year = today.year if today.month > GAP_MONTH else today.year - 1
    return date(year, GAP_MONTH, 1)


def first_month(today: date) -> date:
    back = today.year * 12 + today.month - 1 - MONTHS_BACK
    return min(date(back // 12, back % 12 + 1, 1), date(gap_month(today).year, 1, 1))


def _held(rule_type: str, rhythm: str, year: int, month: int) -> bool:
    """Whether the (year, month) is when this type's meeting is held under its rhythm."""
    if rhythm == Rhythm.MONTH:
        return True
    if rhythm == Rhythm.QUARTER:
        return (month - 1) % 3 + 1 == QUARTER_MONTH.get(rule_type, 2)
    return month == YEAR_MONTH.get(rule_type, 1)


def _people(rng, n):
    return [rng.choice(SURNAMES) + rng.choice("建国秀英志强海燕文斌明辉红梅玉兰") + rng.choice("华军芳平")
            for _ in range(n)]


def _meeting(org, mtype, day, rng, recorded_by):
    committee = mtype.code == "branch_committee"
    due = min(org.member_count or 5, 5) if committee else max(org.member_count or 0, 3)
    absent = 0 if committee else min(due, rng.choice([0, 1, 1, 2, 3, 4]))
    absences = "\n".join(f"{name}：{rng.choice(REASONS)}" for name in _people(rng, absent))
    topic = rng.choice(TOPICS.get(mtype.code, ["学习贯彻上级精神"]))
    return Meeting(
        organization=org, meeting_type=mtype, held_on=day, topic=topic,
        place=PLACES.get(org.category.code if org.category_id else "", "党员活动室"),
        host=org.secretary_name, due=due, present=due - absent, absences=absences,
        minutes=f"会议由{org.secretary_name or '支部书记'}主持，围绕“{topic}”进行学习讨论，形成会议纪要。",
        recorded_by=recorded_by,
    )


def _skips(org, code, year, month, full, today):
    """Whether this branch leaves this type out this month (the gaps of the demo)."""
    if full:
        return False
    rng = random.Random(f"skip:{org.code}:{year}:{month}:{code}")
    share = LAGGING_SKIP_SHARE if org.code in LAGGING_CODES else SKIP_SHARE
    if (year, month) == (today.year, today.month) and code == "theme_day":
        share = 0.35  # some have not held this month's yet: the reminder from the 20th
    return rng.random() < share


def plan(branches, rules, *, today, full_path, recorders, by):
    """The meetings the demo wants, keyed on (organization, type, day); the branches under
    `full_path` keep every rule."""
    start, gap = first_month(today), gap_month(today)
    planned = {}
    for org in branches:
        full = bool(full_path) and org.path.startswith(full_path)
        recorder = recorders.get(org.pk, by)
        for rule in rules:
            if rule.levels and org.level not in rule.levels:
                continue
            code = rule.meeting_type.code
            for year, month in _months(start, today):
                if not _held(code, rule.rhythm, year, month):
                    continue
                if org.code == SECRETARY_BRANCH and code == GAP_TYPE and date(year, month, 1) == gap:
                    continue  # the one meeting the demo secretary's table names as missing
                if _skips(org, code, year, month, full, today):
                    continue
                rng = random.Random(f"{org.code}:{year}:{month}:{code}")
                day = date(year, month, min(DAYS.get(code, 10) + rng.randint(-2, 2), 28))
                if day > today or (org.founded_on and day < org.founded_on):
                    continue
                planned[(org.pk, rule.meeting_type_id, day)] = _meeting(
                    org, rule.meeting_type, day, rng, recorder)
    return planned


def _bind_theme_day(root, theme_day) -> int:
    items = StandardItem.objects.filter(
        standard_set__organization=root, standard_set__code=WUHUA_CODE, code=THEME_DAY_ITEM,
        kind=ItemKind.NUMBER, meeting_binding__isnull=True,
    )
    made = [ItemBinding(item=item, meeting_type=theme_day) for item in items]
    ItemBinding.objects.bulk_create(made)
    return len(made)


@transaction.atomic
def load_demo_meetings(*, root: Organization, by, today=None) -> DemoMeetings:
    """`by` is the demo admin; `today` defaults to today (tests pass a day)."""
    today = today or timezone.localdate()
    loaded = services.load_library(county=root, by=by)
    types = {t.code: t for t in MeetingType.objects.filter(owner=root)}
    gap = gap_month(today)
    out = DemoMeetings(types=loaded.types, rules=loaded.rules,
                       gap=f"{gap.year}年{gap.month}月 {types[GAP_TYPE].name}")
    rules = list(MeetingRule.objects.filter(owner=root, is_active=True).select_related("meeting_type"))
    committees = dict(
        Organization.objects.filter(code__in=[FULL_CODE, *GAPPY_CODES], path__startswith=root.path)
        .values_list("code", "path")
    )
    branches = list(
        Organization.objects.filter(level__in=BRANCH_LEVELS, is_active=True)
        .filter(subtrees_q(sorted(committees.values())))
        .select_related("category").order_by("path")
    )
    recorders = dict(
        Assignment.objects.filter(role=Role.SECRETARY, organization__in=[b.pk for b in branches],
                                  user__is_active=True)
        .order_by("user_id").values_list("organization_id", "user")
    )
    users = {u.pk: u for u in type(by).objects.filter(pk__in=set(recorders.values()))}
    recorders = {org_id: users[user_id] for org_id, user_id in recorders.items()}
    planned = plan(branches, rules, today=today, full_path=committees.get(FULL_CODE, ""),
                   recorders=recorders, by=by)
    have = set(
        Meeting.objects.filter(organization__in=[b.pk for b in branches])
        .values_list("organization_id", "meeting_type_id", "held_on")
    )
    new = [m for key, m in planned.items() if key not in have]
    for meeting in new:
        meeting._history_user = meeting.recorded_by
    bulk_create_with_history(new, Meeting, batch_size=500, default_user=by,
                             default_change_reason=REASON)
    out.meetings = len(new)
    out.branches = len({m.organization_id for m in planned.values()})
    out.committees = len(committees)
    if "theme_day" in types:
        out.bindings = _bind_theme_day(root, types["theme_day"])
    return out


def summary_rows(result: DemoMeetings) -> list[tuple]:
    """(what, quantity) rows for load_demo's table, in English msgids."""
    from django.utils.translation import gettext as _

    return [
        (_("Meeting types loaded"), result.types),
        (_("Meeting rules loaded"), result.rules),
        (_("Meetings logged"), result.meetings),
        (_("Branches with a meeting log"), result.branches),
        (_("Standard items answered from the log"), result.bindings),
        (_("The demo secretary's missing meeting"), result.gap),
    ]
