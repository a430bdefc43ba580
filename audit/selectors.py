"""Reading the audit log: the history rows of every audited model in one list, newest first.

`entries` is one UNION ALL over the historical tables, scoped and filtered in SQL, so a
page costs the same few queries whatever the size of the county: the page of rows, its
count, then per model on the page its records (with the previous record's id found by a
subquery) and those previous records, and one query each for the names of the people
and organizations the changed fields point to.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from orgs.models import Organization, Role
from orgs.scoping import scope_q

from .registry import AUDITED, BY_LABEL

ROW_FIELDS = (
    "history_id", "history_date", "history_type", "history_user_id",
    "a_model", "a_object", "a_org_code", "a_org_name",
)
ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
# Bookkeeping, not decisions: never listed as a change.
SKIPPED_FIELDS = {"id"}
# Whose subtree the log shows: where the user is county staff (a superuser: everything).
AUDIT_ROLES = {Role.COUNTY_STAFF}


@dataclass(frozen=True)
class Filters:
    model: str = ""  # an audited label, "" for every model
    user_id: int | None = None
    since: object = None  # aware datetimes, `until` excluded
    until: object = None
    org_path: str | None = None


def entries(*, user, filters: Filters):
    """Dicts of ROW_FIELDS over every audited model the filters allow, in the user's scope."""
    parts = []
    for audited in AUDITED:
        if filters.model and audited.label != filters.model:
            continue
        prefix = audited.org_prefix
        qs = audited.history_model.objects.filter(scope_q(user, prefix, roles=AUDIT_ROLES))
        if filters.org_path:
            qs = qs.filter(**{f"{prefix}path__startswith": filters.org_path})
        if filters.user_id:
            qs = qs.filter(history_user_id=filters.user_id)
        if filters.since:
            qs = qs.filter(history_date__gte=filters.since)
        if filters.until:
            qs = qs.filter(history_date__lt=filters.until)
        parts.append(
            qs.annotate(
                a_model=Value(audited.label, output_field=CharField()),
                a_object=F("id"),
                a_org_code=F(f"{prefix}code"),
                a_org_name=F(f"{prefix}name"),
            ).values(*ROW_FIELDS).order_by()
        )
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-history_date", "-history_id")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    history_id: int
    at: object
    action: str  # "+", "~", "-"
    who: str
    model_label: str
    model_name: str
    object_id: int
    org_code: str
    org_name: str
    changes: list[Change] = field(default_factory=list)

    @property
    def action_name(self):
        return _(ACTIONS[self.action])


def _tracked(audited, history_model):
    """The model's fields the history keeps, minus timestamps set by Django itself."""
    kept = {f.name for f in history_model._meta.fields}
    return [
        f for f in audited.model._meta.concrete_fields
        if f.name in kept and f.name not in SKIPPED_FIELDS
        and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]


def _previous_id(history_model):
    same_object_before = history_model.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    return Subquery(same_object_before.order_by("-history_date", "-history_id").values("history_id")[:1])


def _raw_changes(record, previous, fields):
    """[(model field, before, after)]: simple-history's diff against the previous record;
    a created row lists what it was made with, a first recorded change (rows made in bulk
    without a record, such as a self-check's blank answers) compares with the defaults."""
    names = [f.name for f in fields]
    if previous is not None:
        delta = record.diff_against(previous, included_fields=names)
        by_name = {f.name: f for f in fields}
        return [(by_name[c.field], c.old, c.new) for c in delta.changes]
    out = []
    for f in fields:
        after = f.value_from_object(record)
        if record.history_type == "-":
            if after not in (None, ""):
                out.append((f, after, None))
            continue
        if record.history_type == "+":
            before = None
        elif f.is_relation and not f.null:
            continue  # given at creation (the answer's assessment and item), never changed
        else:
            before = f.get_default()
        if after != before and after not in (None, "", [], {}):
            out.append((f, before, after))
    return out


def _text(model_field, value, names):
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), f"#{value}")
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.DateTimeField):
        from django.utils import timezone

        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(model_field, models.DateField):
        return date_format(value, "Y-m-d")
    if isinstance(model_field, models.DecimalField):
        return number_format(value, decimal_pos=model_field.decimal_places)
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _names(raw):
    """Display names of the people and organizations the changed fields point to (two queries)."""
    wanted = defaultdict(set)
    for _record, changes in raw:
        for model_field, before, after in changes:
            if isinstance(model_field, models.ForeignKey):
                for value in (before, after):
                    if value is not None:
                        wanted[model_field.related_model].add(value)
    names = {}
    User = get_user_model()
    if wanted.get(User):
        for user in User.objects.filter(pk__in=wanted[User]).only("pk", "username", "full_name"):
            names[(User, user.pk)] = user.display_name
    if wanted.get(Organization):
        for org in Organization.objects.filter(pk__in=wanted[Organization]).only("pk", "name", "code"):
            names[(Organization, org.pk)] = f"{org.name}（{org.code}）"
    return names


def with_changes(rows) -> list[Entry]:
    """The page's rows as entries with who and what changed, before → after."""
    ids_by_label = defaultdict(list)
    for row in rows:
        ids_by_label[row["a_model"]].append(row["history_id"])
    records, raw = {}, []
    for label, ids in ids_by_label.items():
        audited = BY_LABEL[label]
        history_model = audited.history_model
        found = list(
            history_model.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_history_id=_previous_id(history_model))
        )
        wanted = [r.previous_history_id for r in found if r.previous_history_id]
        previous = {p.history_id: p for p in history_model.objects.filter(history_id__in=wanted)}
        fields = _tracked(audited, history_model)
        for record in found:
            changes = _raw_changes(record, previous.get(record.previous_history_id), fields)
            records[(label, record.history_id)] = (record, changes)
            raw.append((record, changes))
    names = _names(raw)
    entries_out = []
    for row in rows:
        record, changes = records[(row["a_model"], row["history_id"])]
        user = record.history_user
        entries_out.append(Entry(
            history_id=row["history_id"], at=row["history_date"], action=row["history_type"],
            who=user.display_name if user else _("the system"),
            model_label=row["a_model"], model_name=str(BY_LABEL[row["a_model"]].verbose_name),
            object_id=row["a_object"], org_code=row["a_org_code"] or "", org_name=row["a_org_name"] or "",
            changes=[Change(str(f.verbose_name), _text(f, before, names), _text(f, after, names))
                     for f, before, after in changes],
        ))
    return entries_out


def in_chunks(queryset, size=500):
    """Every entry of the (sliceable) union, `size` rows at a time, for the export."""
    start = 0
    while True:
        rows = list(queryset[start : start + size])
        if not rows:
            return
        yield from with_changes(rows)
        start += size
