"""Loading the demo county: generated figures, then the tree and the logins.

Everything goes through the same services as real data (org_create, bulk_add,
assignment_add), so the demo has a history that says where it came from.
A rerun skips every code and user name that exists: no duplicates, no
password resets, no extra history records.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from orgs.models import BRANCH_LEVELS, Category, Level, Organization, Role
from orgs.services import TREE_FIELDS, assignment_add, check_level, org_create
from orgs.tree_bulk import bulk_add

from .county import COMMITTEES, LOGINS, ROOT

SEED = 2026

# Party members per branch, by category (members belong to branches; a
# committee or general branch counts 0, so a sum over a subtree counts each
# member once).
MEMBERS = {
    "village": (20, 90), "community": (15, 70), "government": (5, 40),
    "institution": (8, 40), "private_enterprise": (3, 20), "social_org": (3, 15),
    "soe": (10, 60), "health": (10, 60), "school": (10, 60), "mobile": (5, 30),
}
# Venue areas: seed 002 asks for ≥ 70 ㎡ where a group has ≥ 10 members, so
# generated venues keep that rule and only the areas fixed in county.py break it.
VENUE_RULE_AREA, VENUE_RULE_MEMBERS = 70, 10
VENUE_MAX = {
    "village": 400, "community": 600, "government": 120, "institution": 120,
    "private_enterprise": 100, "social_org": 80, "soe": 200, "health": 150, "school": 200,
}
FOUNDED = {
    "village": (1952, 2005), "community": (1998, 2020), "government": (1978, 2010),
    "institution": (1985, 2015), "private_enterprise": (2008, 2023), "social_org": (2012, 2023),
    "soe": (1995, 2018), "health": (1970, 2010), "school": (1960, 2010), "mobile": (2015, 2023),
    None: (1978, 2005),  # sector committees (机关工委, 教育局党委 …)
    "town": (1949, 1958),
    "street": (2001, 2012),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = (
    "建国 卫东 秀英 桂兰 志强 海燕 丽华 文斌 明辉 红梅 玉兰 国庆 晓燕 德胜 春生 金凤 永红 立新 亚军 "
    "淑珍 振华 小军 艳玲 宏伟 建华 俊杰 慧敏 子涵 国强 秀芳 利民 新民 爱华 凤英 学军 丹 静 勇 磊 敏"
).split()
MOBILE_PREFIXES = "135 136 137 138 139 150 151 152 158 159 177 180 181 187 189".split()


@dataclass
class Row:
    code: str
    parent_code: str | None
    name: str
    level: str
    category: str | None
    opts: dict = field(default_factory=dict)


def rows() -> list[Row]:
    """The whole demo tree, every parent before its children."""
    out = [Row(ROOT[0], None, ROOT[1], ROOT[2], None, ROOT[3])]

    def walk(parent_code, children):
        for suffix, name, level, category, opts in children:
            code = f"{parent_code}-{suffix}"
            out.append(Row(code, parent_code, name, level, category, opts))
            walk(code, opts.get("children", ()))

    for code, name, level, children in COMMITTEES:
        # A 街道党工委 has a category of its own (seed 002's 街道党建工作经费).
        category = "street" if name.endswith("街道党工委") else None
        out.append(Row(code, ROOT[0], name, level, category))
        walk(code, children)
    return out


def figures(row: Row) -> dict:
    """Secretary, phone and figures for one row.

    Seeded by the row's code, so a row's figures do not change when others are
    added and are the same on every machine.
    """
    rng = random.Random(f"{SEED}:{row.code}")
    opts = row.opts
    town = None
    if row.parent_code == ROOT[0] and row.name.endswith(("镇党委", "乡党委")):
        town = "town"
    elif row.parent_code == ROOT[0] and row.name.endswith("街道党工委"):
        town = "street"
    secretary = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    if row.level in BRANCH_LEVELS:
        members = opts.get("members") or rng.randint(*MEMBERS[row.category])
        if "venue" in opts:
            venue = opts["venue"]
        elif row.category == "mobile":
            venue = None  # members work away from home; they meet online
        elif members >= VENUE_RULE_MEMBERS:
            venue = rng.randint(VENUE_RULE_AREA, VENUE_MAX[row.category])
        else:
            venue = rng.randint(20, VENUE_RULE_AREA - 1)
    else:
        members = 0
        if town:
            venue = rng.randint(300, 900)  # the town's 党群服务中心
        elif row.category in ("village", "community"):
            venue = rng.randint(150, 600)
        else:
            venue = None
    if "founded" in opts:
        founded = date.fromisoformat(opts["founded"])
    else:
        first, last = FOUNDED[town or row.category]
        founded = date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "secretary_name": secretary,
        "secretary_phone": phone,
        "member_count": members,
        "venue_area": venue,
        "founded_on": founded,
        "is_demonstration": bool(opts.get("demo")),
        "is_active": not opts.get("inactive"),
    }


@dataclass
class Result:
    orgs_created: int = 0
    users_created: list = field(default_factory=list)
    root: Organization | None = None
    logins: list = field(default_factory=list)  # (username, password, role label, org name)

    @property
    def changed(self):
        return bool(self.orgs_created or self.users_created)


def demo_reason():
    return _("Demo data")


def _fields(row, categories) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "category": categories[row.category] if row.category else None,
        **figures(row),
    }


def _ensure_user(username, password, by, **fields):
    """Create a login unless the name is taken; an existing one is left as it is."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, **fields)
    user.set_password(password)
    user._history_user = by
    user._change_reason = demo_reason()
    user.save()
    return user, True


@transaction.atomic
def load_demo() -> Result:
    result = Result()
    reason = demo_reason()
    admin_name, admin_password, _role, _code, admin_full = LOGINS[0]
    admin, created = _ensure_user(
        admin_name, admin_password, None, full_name=admin_full, is_staff=True, is_superuser=True
    )
    if created:
        result.users_created.append(admin_name)

    all_rows = rows()
    by_code = {o.code: o for o in Organization.objects.filter(code__in=[r.code for r in all_rows])}
    categories = {c.code: c for c in Category.objects.all()}

    # The root and the committees one by one through org_create, as a clerk would.
    made_one_by_one = []
    for row in all_rows:
        if row.code in by_code or row.parent_code not in (None, ROOT[0]):
            continue
        parent = by_code[row.parent_code] if row.parent_code else None
        org = org_create(parent=parent, by=admin, reason=reason, **_fields(row, categories))
        by_code[row.code] = org
        made_one_by_one.append(org.pk)

    # Everything below the committees in one bulk insert, checked as org_create would.
    items = []
    for row in all_rows:
        if row.code in by_code:
            continue
        parent = by_code[row.parent_code]
        check_level(parent=parent, level=row.level)
        org = Organization(**_fields(row, categories))
        org.full_clean(exclude=[*TREE_FIELDS, "category"], validate_unique=False)
        items.append((org, parent))
        by_code[row.code] = org
    if items:
        bulk_add(items, by=admin, reason=reason)
    result.orgs_created = len(made_one_by_one) + len(items)
    result.root = Organization.objects.get(code=ROOT[0])

    for username, password, role, code, full_name in LOGINS:
        if role is None:
            result.logins.append((username, password, _("Superuser"), "-"))
            continue
        org = Organization.objects.get(code=code)
        user, created = _ensure_user(
            username, password, admin,
            full_name=full_name or org.secretary_name,
            phone=org.secretary_phone if role == Role.SECRETARY else "",
            is_staff=role == Role.COUNTY_STAFF,  # to enter data in bulk in the admin
        )
        if created:
            assignment_add(user=user, organization=org, role=role, by=admin, note=reason)
            result.users_created.append(username)
        result.logins.append((username, password, Role(role).label, org.name))
    return result


def summary(root: Organization):
    """(label, count) pairs for the demo tree: by level, then by category."""
    tree = Organization.objects.filter(path__startswith=root.path).order_by()
    by_level = dict(tree.values_list("level").annotate(n=Count("pk")))
    by_category = dict(tree.values_list("category__name").annotate(n=Count("pk")))
    levels = [(str(label), by_level[value]) for value, label in Level.choices if value in by_level]
    names = list(Category.objects.values_list("name", flat=True))
    categories = [(name, by_category[name]) for name in names if name in by_category]
    if None in by_category:
        categories.append((_("No category"), by_category[None]))
    return levels, categories
