"""The synthetic city: organizations, a standard set, a filled campaign, the four lists,
3+1 pairings, a year of funding and star histories, written straight into PostgreSQL.

Speed comes from doing the work where the data is. The tree and the people are
computed here and sent with COPY (treebeard's paths made by hand, steplen 4); every
row that derives from them (assessments, 1.2 million item responses, problems,
tasks, allocations …) is one INSERT … SELECT, with "random" choices taken from a
hash of the row's ids so that two runs make the same data. Nothing goes through
model save(), so no history rows and no signals: the bench measures reading and
the jobs, not how the data got there.

The shape at every scale: one root (a city; a province at province scale) →
counties → 20 committees each → 9 general branches of 9 branches plus 9 branches
directly under the committee (99 organizations per committee).
"""

import io
import time
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

SCALES = {
    # counties, committees per county
    "county": (1, 10),  # 1,002 organizations
    "city": (10, 20),  # 20,011
    "province": (150, 20),  # 297,151
}
YEAR = 2026
PASSWORD = "bench-2026"
BENCH_USERS = ("bench_city", "bench_county", "bench_committee", "bench_secretary")
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Apps whose tables the bench empties before generating (never the categories).
DATA_APPS = ("orgs", "standards", "assessments", "rectification", "funding", "supervision",
             "meetings", "exports", "sessions", "admin", "axes")


class NotBenchDatabase(Exception):
    pass


def check_bench_database():
    """Refuse anything but the bench database: the generator empties every table."""
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not (name == "pb_bench" or name.startswith("pb_bench_")):
        raise NotBenchDatabase(
            f"refusing to run against {connection.vendor} database {name!r}: "
            "the bench wipes its database, so it runs only on PostgreSQL pb_bench or pb_bench_*"
        )


def segment(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
        if n == 0:
            return out.rjust(4, "0")


@dataclass
class Timer:
    steps: list

    def step(self, name):
        timer = self

        class _Step:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                seconds = time.perf_counter() - self.start
                timer.steps.append((name, seconds))
                print(f"  {name:<44} {seconds:7.1f} s", flush=True)

        return _Step()


def _sql(sql, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _one(sql, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _copy(table, columns, rows):
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def wipe():
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in DATA_APPS and model._meta.db_table != "orgs_category"
        and model._meta.managed
    }
    existing = set(connection.introspection.table_names())
    _sql(f"TRUNCATE {', '.join(sorted(tables & existing))} RESTART IDENTITY CASCADE")


def build_tree(counties: int, committees_per_county: int):
    """The organizations as COPY rows; returns the count."""
    cats = dict(_sql_rows("SELECT code, id FROM orgs_category"))
    branch_cats = [cats[c] for c in ("village", "community", "government", "private_enterprise",
                                     "institution", "school", "health", "soe") if c in cats]
    rows = []

    def add(path, name, code, level, category=None, numchild=0, members=0, area=None):
        rows.append((path, len(path) // 4, numchild, code, name, level, "", "", members,
                     None, area, "f", "t", "now()", "now()", category))

    root = segment(1)
    add(root, "某市委" if counties > 1 else "某市委（县级规模）", "BENCH", "county", numchild=counties)
    for c in range(1, counties + 1):
        cpath = root + segment(c)
        add(cpath, f"第{c}县委", f"C{c:03d}", "county", numchild=committees_per_county)
        for m in range(1, committees_per_county + 1):
            mpath = cpath + segment(m)
            add(mpath, f"第{c}县第{m}镇党委", f"C{c:03d}M{m:02d}", "committee",
                category=cats.get("street"), numchild=18)
            for g in range(1, 10):
                gpath = mpath + segment(g)
                cat = branch_cats[(c + m + g) % len(branch_cats)]
                add(gpath, f"第{c}县{m}镇第{g}党总支", f"C{c:03d}M{m:02d}G{g}", "general_branch",
                    category=cat, numchild=9, members=60)
                for b in range(1, 10):
                    add(gpath + segment(b), f"第{c}县{m}镇{g}总支第{b}支部",
                        f"C{c:03d}M{m:02d}G{g}B{b}", "branch", category=cat,
                        members=5 + (b * 7 + g) % 30, area=40 + (b * 13 + m) % 80)
            for b in range(10, 19):
                cat = branch_cats[(c + m + b) % len(branch_cats)]
                add(mpath + segment(b), f"第{c}县{m}镇第{b}支部", f"C{c:03d}M{m:02d}B{b}",
                    "branch", category=cat, members=5 + (b * 3 + m) % 30, area=30 + (b * 11) % 90)
    # COPY does not evaluate now(): give it a literal timestamp.
    now = _one("SELECT now()")[0].isoformat()
    _copy("orgs_organization",
          ["path", "depth", "numchild", "code", "name", "level", "secretary_name",
           "secretary_phone", "member_count", "founded_on", "venue_area", "is_demonstration",
           "is_active", "created_at", "updated_at", "category_id"],
          (r[:13] + (now, now) + r[15:] for r in rows))
    return len(rows)


def _sql_rows(sql, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def make_users():
    """The four measured users, a pool of 30 pairing helpers, and their assignments."""
    from orgs.models import Assignment, Organization, Role, User

    password = make_password(PASSWORD)
    root = Organization.objects.get(depth=1)
    county = Organization.objects.filter(depth=2).order_by("path").first()
    committee = Organization.objects.filter(depth=3).order_by("path").first()
    users = {}
    for username, full_name in zip(BENCH_USERS, ("市委组织部", "县委组织部", "镇党委", "支部书记"),
                                   strict=True):
        users[username] = User.objects.create(username=username, full_name=full_name,
                                              password=password)
    Assignment.objects.bulk_create([
        Assignment(user=users["bench_city"], organization=root, role=Role.COUNTY_STAFF),
        Assignment(user=users["bench_county"], organization=county, role=Role.COUNTY_STAFF),
        Assignment(user=users["bench_committee"], organization=committee,
                   role=Role.COMMITTEE_STAFF),
    ])
    User.objects.bulk_create([
        User(username=f"helper{i:02d}", full_name=f"帮扶干部{i}", password=password)
        for i in range(1, 31)
    ])
    return users, root, committee


def make_standard_set(root):
    from standards.models import Dimension, ItemKind, SetStatus, StandardItem, StandardSet

    standard_set = StandardSet.objects.create(
        organization=root, code="bench", name="五化标准（基准测试）", year=YEAR,
    )
    names = ["支部建设标准化", "组织生活正常化", "管理服务精细化", "工作制度体系化", "阵地建设规范化"]
    items = []
    for d, name in enumerate(names, start=1):
        dim = Dimension.objects.create(standard_set=standard_set, name=name, ordering=d)
        for i in range(1, 13):
            # 20 items of 3 points and 40 of 1: 100 in all.
            items.append(StandardItem(
                standard_set=standard_set, dimension=dim, code=f"{d}.{i}", kind=ItemKind.CHECK,
                requirement=f"{name}第{i}项要求：按规定开展并留存记录", max_score=3 if i <= 4 else 1,
                ordering=i, is_veto=(d == 1 and i == 1),
            ))
    StandardItem.objects.bulk_create(items)
    StandardSet.objects.filter(pk=standard_set.pk).update(status=SetStatus.PUBLISHED)
    return standard_set


def make_campaign(standard_set, root, by):
    from assessments.models import Campaign, CampaignStatus

    return Campaign.objects.create(
        name="基层党组织星级评定（基准）", year=YEAR, standard_set=standard_set,
        organization=root, self_check_deadline=date(YEAR, 6, 30),
        review_deadline=date(YEAR, 9, 30), advanced_min=90, general_min=80,
        star_thresholds=[60, 70, 80, 90, 95], status=CampaignStatus.ACTIVE,
        launched_at=_one("SELECT now()")[0], created_by=by,
    )


# A row's "random" number in [0, 1000): the same for the same ids on every run.
def H(expr):
    return f"mod(abs(({expr}) * 48271), 1000)"


LAGGING_ORG = "mod(o.id * 7919, 100) < 15"


def fill_campaign(campaign):
    n_assess = _sql(f"""
        INSERT INTO assessments_assessment (campaign_id, organization_id, status, self_grade,
            grade, veto_failed, dimension_scores, return_reason, started_at, submitted_at,
            reviewed_at, accepted_at, updated_at)
        SELECT {campaign.pk}, o.id, 'accepted', '', '', false, '{{}}', '',
            timestamp '{YEAR}-05-10', timestamp '{YEAR}-06-20', timestamp '{YEAR}-08-15',
            timestamp '{YEAR}-09-20', now()
        FROM orgs_organization o
        WHERE o.level IN ('branch', 'joint_branch', 'temporary_branch', 'general_branch')
        ORDER BY o.path""")
    fail = (f"CASE WHEN i.max_score = 3 THEN "
            f"(CASE WHEN {LAGGING_ORG} THEN 450 ELSE 30 END) "
            f"ELSE (CASE WHEN {LAGGING_ORG} THEN 30 ELSE 50 END) END")
    r = H("a.id * 131 + i.id * 977")
    n_resp = _sql(f"""
        INSERT INTO assessments_itemresponse (assessment_id, item_id, self_value, self_text,
            self_note, reviewer_value, reviewer_note, self_score, final_score, updated_at)
        SELECT a.id, i.id,
            CASE WHEN {r} < {fail} AND {r} % 2 = 0 THEN 'false' ELSE 'true' END, '', '',
            CASE WHEN {r} < {fail} THEN 'false' ELSE 'true' END,
            CASE WHEN {r} < {fail} THEN '现场查看未达标' ELSE '' END,
            CASE WHEN {r} < {fail} AND {r} % 2 = 0 THEN 0 ELSE i.max_score END,
            CASE WHEN {r} < {fail} THEN 0 ELSE i.max_score END,
            now()
        FROM assessments_assessment a
        JOIN orgs_organization o ON o.id = a.organization_id
        CROSS JOIN standards_standarditem i
        WHERE a.campaign_id = {campaign.pk} AND i.standard_set_id = {campaign.standard_set_id}""")
    # Scores, grades and stars from the responses, as scoring would have stored them.
    _sql(f"""
        WITH dims AS (
            SELECT r.assessment_id, d.name,
                   sum(r.final_score) AS won, sum(i.max_score) AS possible
            FROM assessments_itemresponse r
            JOIN standards_standarditem i ON i.id = r.item_id
            JOIN standards_dimension d ON d.id = i.dimension_id
            GROUP BY r.assessment_id, d.name
        ), totals AS (
            SELECT r.assessment_id, sum(r.self_score) AS self, sum(r.final_score) AS final,
                   bool_or(i.is_veto AND r.final_score = 0) AS veto
            FROM assessments_itemresponse r
            JOIN standards_standarditem i ON i.id = r.item_id
            GROUP BY r.assessment_id
        ), dj AS (
            SELECT assessment_id, jsonb_object_agg(name, jsonb_build_object(
                'score', won::text, 'max', possible::text,
                'percent', round(100 * won / possible, 2)::text)) AS scores
            FROM dims GROUP BY assessment_id
        )
        UPDATE assessments_assessment a SET
            self_score = t.self, final_score = t.final, veto_failed = t.veto,
            dimension_scores = dj.scores,
            self_grade = CASE WHEN t.self >= 90 THEN 'advanced' WHEN t.self >= 80 THEN 'general'
                              ELSE 'lagging' END,
            grade = CASE WHEN t.veto OR t.final < 80 THEN 'lagging'
                         WHEN t.final >= 90 THEN 'advanced' ELSE 'general' END,
            stars = CASE WHEN t.veto THEN 0 ELSE
                (t.final >= 60)::int + (t.final >= 70)::int + (t.final >= 80)::int
                + (t.final >= 90)::int + (t.final >= 95)::int END
        FROM totals t JOIN dj ON dj.assessment_id = t.assessment_id
        WHERE a.id = t.assessment_id AND a.campaign_id = {campaign.pk}""")
    return n_assess, n_resp


def prepare_secretary(campaign, committee, secretary):
    """The secretary's branch: a self-check still in draft (the page measured in 3)."""
    from assessments.models import Assessment
    from orgs.models import Assignment, Role

    assessment = (
        Assessment.objects.filter(campaign=campaign, organization__path__startswith=committee.path,
                                  organization__level="branch")
        .exclude(grade="lagging").order_by("organization__path").first()
    )
    _sql("""UPDATE assessments_assessment SET status = 'draft', final_score = NULL, grade = '',
            stars = NULL, submitted_at = NULL, reviewed_at = NULL, accepted_at = NULL
            WHERE id = %s""", [assessment.pk])
    _sql("""UPDATE assessments_itemresponse SET final_score = NULL, reviewer_value = '',
            reviewer_note = '' WHERE assessment_id = %s""", [assessment.pk])
    Assignment.objects.create(user=secretary, organization_id=assessment.organization_id,
                              role=Role.SECRETARY)
    return assessment


def lagging_people(by):
    """A secretary user (and assignment) for every lagging organization."""
    password = make_password(PASSWORD)
    n = _sql("""
        INSERT INTO orgs_user (password, is_superuser, username, first_name, last_name, email,
            is_staff, is_active, date_joined, full_name, phone)
        SELECT %s, false, 'sec_' || lower(o.code), '', '', 'sec_' || lower(o.code) || '@bench.invalid',
            false, true, now(), '书记' || o.code, ''
        FROM assessments_assessment a JOIN orgs_organization o ON o.id = a.organization_id
        WHERE a.grade = 'lagging'""", [password])
    _sql("""
        INSERT INTO orgs_assignment (user_id, organization_id, role, note, created_at)
        SELECT u.id, o.id, 'secretary', '', now()
        FROM orgs_organization o JOIN orgs_user u ON u.username = 'sec_' || lower(o.code)""")
    return n


def problems_and_tasks(campaign, by):
    n_problems = _sql(f"""
        INSERT INTO rectification_problem (organization_id, source, assessment_id, item_id,
            description, severity, found_by_id, found_on, created_at)
        SELECT a.organization_id, 'assessment', a.id, i.id, '未达标：' || i.requirement,
            CASE WHEN i.max_score >= 3 THEN 'high' ELSE 'medium' END, {by.pk},
            date '{YEAR}-09-01' + mod(a.id, 30)::int, now()
        FROM assessments_itemresponse r
        JOIN assessments_assessment a ON a.id = r.assessment_id
        JOIN standards_standarditem i ON i.id = r.item_id
        WHERE a.campaign_id = {campaign.pk} AND a.grade = 'lagging'
          AND r.final_score < i.max_score""")
    h = H("p.id * 37")
    n_tasks = _sql(f"""
        INSERT INTO rectification_rectificationtask (problem_id, organization_id, measure,
            responsible_id, responsible_name, leader_name, starts_on, deadline, status, progress,
            created_by_id, created_at, closed_at)
        SELECT p.id, p.organization_id, '制定整改方案并逐项落实：' || left(p.description, 40),
            u.id, coalesce(u.full_name, '书记'), '镇党委书记', date '{YEAR}-09-15',
            date '{YEAR}-10-01' + mod(p.id * 13, 180)::int,
            CASE WHEN {h} < 300 THEN 'open' WHEN {h} < 600 THEN 'in_progress'
                 WHEN {h} < 750 THEN 'awaiting_check' ELSE 'closed' END,
            CASE WHEN {h} < 300 THEN 0 WHEN {h} < 600 THEN 50 WHEN {h} < 750 THEN 90 ELSE 100 END,
            {by.pk}, now(),
            CASE WHEN {h} >= 750 THEN timestamp '{YEAR}-11-01' END
        FROM rectification_problem p
        JOIN orgs_organization o ON o.id = p.organization_id
        LEFT JOIN orgs_user u ON u.username = 'sec_' || lower(o.code)""")
    return n_problems, n_tasks


def pairings(campaign, by):
    n = _sql(f"""
        INSERT INTO rectification_pairing (organization_id, county_leader_id,
            committee_secretary_id, cadre_id, baseline_id, baseline_grade, target_grade,
            target_date, measures, status, created_by_id, created_at)
        SELECT a.organization_id, h1.id, h2.id, h3.id, a.id, 'lagging', 'general',
            date '{YEAR + 1}-06-30', '定目标、定人员、定措施、帮转化',
            CASE WHEN mod(a.id, 10) = 0 THEN 'upgraded' ELSE 'active' END, {by.pk}, now()
        FROM assessments_assessment a
        JOIN orgs_user h1 ON h1.username = 'helper' || lpad((mod(a.id, 10) + 1)::text, 2, '0')
        JOIN orgs_user h2 ON h2.username = 'helper' || lpad((mod(a.id, 10) + 11)::text, 2, '0')
        JOIN orgs_user h3 ON h3.username = 'helper' || lpad((mod(a.id, 10) + 21)::text, 2, '0')
        WHERE a.campaign_id = {campaign.pk} AND a.grade = 'lagging'""")
    _sql(f"""
        INSERT INTO rectification_milestone (pairing_id, title, due_on, done_on, note)
        SELECT p.id, m.title, m.due, CASE WHEN m.due < date '{YEAR}-11-01' THEN m.due END, ''
        FROM rectification_pairing p CROSS JOIN (VALUES
            ('摸清问题、制定方案', date '{YEAR}-10-15'), ('班子调整到位', date '{YEAR}-12-31'),
            ('验收晋位', date '{YEAR + 1}-06-30')) AS m(title, due)""")
    _sql(f"""
        INSERT INTO rectification_visit (pairing_id, visited_on, by_id, found, solved, created_at)
        SELECT p.id, date '{YEAR}-09-20' + v.n * 30, p.cadre_id, '组织生活不规范', '指导召开组织生活会', now()
        FROM rectification_pairing p CROSS JOIN generate_series(0, 1) AS v(n)""")
    return n


def funding(root, by):
    from funding.models import Basis, FundingKind, FundingPolicy

    operating = FundingPolicy.objects.create(
        owner=root, code="operating", name="村级组织运转经费", kind=FundingKind.OPERATING,
        basis=Basis.PER_YEAR, rate_min=200000, rate_max=300000, levels=["general_branch"],
        valid_from=YEAR - 2, source_document="基准测试",
    )
    pay = FundingPolicy.objects.create(
        owner=root, code="secretary-pay", name="书记基本报酬", kind=FundingKind.SECRETARY_PAY,
        basis=Basis.PER_MONTH, rate_min=1800, levels=["branch"], valid_from=YEAR - 2,
        source_document="基准测试",
    )
    n_alloc = _sql(f"""
        INSERT INTO funding_allocation (organization_id, policy_id, year, quantity, promised_min,
            promised_max, planned, note, created_by_id, created_at, updated_at)
        SELECT o.id,
            CASE WHEN o.level = 'general_branch' THEN {operating.pk} ELSE {pay.pk} END, {YEAR},
            CASE WHEN o.level = 'general_branch' THEN NULL ELSE 12 END,
            CASE WHEN o.level = 'general_branch' THEN 200000 ELSE 21600 END,
            CASE WHEN o.level = 'general_branch' THEN 300000 END,
            CASE WHEN o.level = 'general_branch' THEN 200000 + mod(o.id, 5) * 20000
                 ELSE 21600 - (mod(o.id, 10) = 0)::int * 3600 END,
            '', {by.pk}, now(), now()
        FROM orgs_organization o WHERE o.level IN ('branch', 'general_branch')""")
    n_paid = _sql(f"""
        INSERT INTO funding_disbursement (allocation_id, paid_on, amount, voucher_no, note,
            recorded_by_id, created_at)
        SELECT al.id, date '{YEAR}-01-15' + q.n * 91, round(al.planned / 4, 2),
            'BV{YEAR}-' || al.id || '-' || q.n, '', {by.pk}, now()
        FROM funding_allocation al CROSS JOIN generate_series(0, 3) AS q(n)
        WHERE q.n < 3 OR mod(al.id, 7) <> 0""")
    return n_alloc, n_paid


def stars(campaign, by):
    """Last year's award, this campaign's award, and a 摘牌降星 for one in twenty."""
    n = _sql(f"""
        INSERT INTO assessments_starrating (organization_id, stars, action, reason, assessment_id,
            by_id, at)
        SELECT a.organization_id, greatest(a.stars - 1, 1), 'awarded', '{YEAR - 1}年度评定', NULL,
            {by.pk}, timestamp '{YEAR - 1}-12-20'
        FROM assessments_assessment a WHERE a.campaign_id = {campaign.pk} AND a.stars > 0
        UNION ALL
        SELECT a.organization_id, a.stars, 'awarded', '{YEAR}年度评定', a.id, {by.pk},
            timestamp '{YEAR}-09-25'
        FROM assessments_assessment a WHERE a.campaign_id = {campaign.pk} AND a.stars > 0""")
    n += _sql(f"""
        INSERT INTO assessments_starrating (organization_id, stars, action, reason, assessment_id,
            by_id, at)
        SELECT a.organization_id, a.stars - 1, 'revoked', '暗访发现问题，摘牌降星', a.id, {by.pk},
            timestamp '{YEAR}-10-20'
        FROM assessments_assessment a
        WHERE a.campaign_id = {campaign.pk} AND a.stars > 1 AND mod(a.id, 20) = 0""")
    return n


def generate(scale: str) -> dict:
    """Empty the bench database and fill it at `scale`; returns counts and step times."""
    check_bench_database()
    counties, per_county = SCALES[scale]
    timer = Timer(steps=[])
    counts = {}
    with transaction.atomic():
        with timer.step("empty the bench tables"):
            wipe()
        with timer.step("organizations (COPY)"):
            counts["organizations"] = build_tree(counties, per_county)
        with timer.step("users, assignments, standard set, campaign"):
            users, root, committee = make_users()
            standard_set = make_standard_set(root)
            campaign = make_campaign(standard_set, root, users["bench_city"])
        with timer.step("assessments and item responses (INSERT…SELECT)"):
            counts["assessments"], counts["item_responses"] = fill_campaign(campaign)
        by = users["bench_city"]
        with timer.step("secretaries of lagging organizations"):
            assessment = prepare_secretary(campaign, committee, users["bench_secretary"])
            counts["secretaries"] = lagging_people(by)
        with timer.step("problems and tasks"):
            counts["problems"], counts["tasks"] = problems_and_tasks(campaign, by)
        with timer.step("3+1 pairings, milestones, visits"):
            counts["pairings"] = pairings(campaign, by)
        with timer.step("allocations and disbursements"):
            counts["allocations"], counts["disbursements"] = funding(root, by)
        with timer.step("star histories"):
            counts["star_ratings"] = stars(campaign, by)
    with timer.step("VACUUM ANALYZE"):
        connection.ensure_connection()
        old = connection.connection.autocommit
        connection.connection.autocommit = True
        try:
            _sql("VACUUM ANALYZE")
        finally:
            connection.connection.autocommit = old
    return {
        "scale": scale, "counts": counts,
        "steps": {name: round(seconds, 2) for name, seconds in timer.steps},
        "seconds": round(sum(s for _n, s in timer.steps), 1),
        "campaign_id": campaign.pk, "self_check_id": assessment.pk,
    }
