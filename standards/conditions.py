"""When an item applies: conditions on facts of an organization, kept as data.

Seed 002's "70 ㎡ activity room where a group has 10 or more members" is the item
`venue_area >= 70` with the condition `member_count >= 10`. A condition is a dict
{"field", "op", "value"}; an item's conditions must all hold. In Excel and on
screen they are written as text: `党员人数>=10；示范点=是`.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orgs.models import Level

# field -> (Chinese name used in files, kind of value)
CONDITION_FIELDS = {
    "member_count": ("党员人数", "number"),
    "venue_area": ("阵地面积", "number"),
    "level": ("层级", "level"),
    "is_demonstration": ("示范点", "bool"),
}
FIELD_BY_NAME = {name: field for field, (name, _kind) in CONDITION_FIELDS.items()}
OPS = (">=", "<=", "!=", ">", "<", "=")
# Level names in files, the same vocabulary as the organization sheet.
LEVEL_NAMES = {
    Level.COUNTY: "县委", Level.COMMITTEE: "党委", Level.WORK_COMMITTEE: "党工委",
    Level.GENERAL_BRANCH: "党总支", Level.BRANCH: "党支部", Level.JOINT_BRANCH: "联合党支部",
    Level.TEMPORARY_BRANCH: "临时党支部",
}
LEVEL_BY_NAME = {name: key for key, name in LEVEL_NAMES.items()}
_NORMALISE = str.maketrans({"≥": ">=", "≤": "<=", "≠": "!=", "＝": "=", "＞": ">", "＜": "<"})
_SPLIT = re.compile(r"[；;]|且")


def _fail(message):
    raise ValidationError(message, code="condition")


def validate_conditions(conditions):
    if not isinstance(conditions, list):
        _fail(_("Conditions must be a list."))
    for cond in conditions:
        if not isinstance(cond, dict) or set(cond) != {"field", "op", "value"}:
            _fail(_("Each condition needs a field, an operator and a value."))
        if cond["field"] not in CONDITION_FIELDS:
            _fail(_("Unknown condition field “%(field)s”.") % {"field": cond["field"]})
        if cond["op"] not in OPS:
            _fail(_("Unknown operator “%(op)s”.") % {"op": cond["op"]})
        kind = CONDITION_FIELDS[cond["field"]][1]
        value = cond["value"]
        if kind == "number":
            try:
                finite = Decimal(str(value)).is_finite()
            except InvalidOperation:
                finite = False
            if not finite:  # NaN would break every later comparison
                _fail(_("“%(value)s” is not a number.") % {"value": value})
        elif kind == "level" and value not in LEVEL_NAMES:
            _fail(_("Unknown level “%(value)s”.") % {"value": value})
        elif kind == "bool" and not isinstance(value, bool):
            _fail(_("Use 是 or 否 for “%(field)s”.") % {"field": CONDITION_FIELDS[cond["field"]][0]})
        if kind in ("level", "bool") and cond["op"] not in ("=", "!="):
            _fail(_("“%(field)s” can only be compared with = or !=.")
                  % {"field": CONDITION_FIELDS[cond["field"]][0]})


def parse_conditions(text):
    """`党员人数>=10；示范点=是` -> a validated list of conditions ('' -> [])."""
    text = (text or "").strip().translate(_NORMALISE)
    conditions = []
    for part in filter(None, (p.strip() for p in _SPLIT.split(text))):
        for op in OPS:
            if op in part:
                name, _sep, raw = part.partition(op)
                break
        else:
            _fail(_("“%(part)s” is not a condition such as 党员人数>=10.") % {"part": part})
        name, raw = name.strip(), raw.strip()
        field = FIELD_BY_NAME.get(name)
        if field is None:
            _fail(_("Unknown condition field “%(field)s”; use one of %(fields)s.")
                  % {"field": name, "fields": "、".join(FIELD_BY_NAME)})
        kind = CONDITION_FIELDS[field][1]
        if kind == "number":
            try:
                number = Decimal(raw)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                _fail(_("“%(value)s” is not a number.") % {"value": raw})
            # Plain digits: str() of a normalized 10 is '1E+1'.
            value = format(number.normalize(), "f")
        elif kind == "level":
            value = LEVEL_BY_NAME.get(raw, raw)
        else:
            if raw not in ("是", "否"):
                _fail(_("Use 是 or 否 for “%(field)s”.") % {"field": name})
            value = raw == "是"
        conditions.append({"field": field, "op": op, "value": value})
    validate_conditions(conditions)
    return conditions


def format_conditions(conditions):
    parts = []
    for cond in conditions or []:
        name, kind = CONDITION_FIELDS[cond["field"]]
        value = cond["value"]
        if kind == "level":
            value = LEVEL_NAMES.get(value, value)
        elif kind == "bool":
            value = "是" if value else "否"
        parts.append(f"{name}{cond['op']}{value}")
    return "；".join(parts)


def _compare(left, op, right):
    return {
        ">=": left >= right, ">": left > right, "<=": left <= right,
        "<": left < right, "=": left == right, "!=": left != right,
    }[op]


def conditions_hold(conditions, org):
    """Do all conditions hold for this organization? A missing figure counts as 0."""
    for cond in conditions or []:
        kind = CONDITION_FIELDS[cond["field"]][1]
        actual = getattr(org, cond["field"])
        if kind == "number":
            left, right = Decimal(str(actual or 0)), Decimal(str(cond["value"]))
        else:
            left, right = actual, cond["value"]
        if not _compare(left, cond["op"], right):
            return False
    return True


def item_applies(item, org):
    """Category (none listed = all) and conditions. Uses prefetched categories if present."""
    category_ids = {c.pk for c in item.categories.all()}
    if category_ids and org.category_id not in category_ids:
        return False
    return conditions_hold(item.conditions, org)
