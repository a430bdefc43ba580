"""Applying an uploaded organization sheet: check every row, then write all or nothing.

A clerk's file is checked as a whole against the tree it would produce, so a
row may name a parent that is created, or moved, further down the same file.
Nothing is written unless every row passes. Then, in one transaction:

1. new organizations, parents first, with `bulk_add` (a few queries for thousands);
2. field changes on existing ones, with `bulk_update_with_history`;
3. moves, one `org_move` each (rare), in the order of the resulting depth.

Field changes go before moves (the issue listed them after): `org_move` checks
the level of the moved organization against its new parent, and when a file
changes both, only the new levels fit. Each step reads fresh rows, so the
history records carry the paths of their moment.

Queries do not grow with the number of rows, except the moves and one
`numchild` update per existing parent that receives new children (`bulk_add`).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from partybuild.xlsx import CellError

from .excel import HEADERS, LEVEL_NAMES, OrgRow
from .models import MANAGING_ROLES, Category, Organization, level_can_hold
from .scoping import can_manage, is_unrestricted, path_in_scope
from .services import org_create, org_move
from .tree_bulk import bulk_add

CHUNK = 2000  # codes per IN (...) list
STEP = Organization.steplen


def import_reason():
    return _("Excel import")


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0


class ImportRejected(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} problems")
        self.errors = sorted(
            errors, key=lambda e: (e.row or 0, list(HEADERS.values()).index(e.column)
                                   if e.column in HEADERS.values() else -1)
        )


def _chunks(values):
    values = list(values)
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _orgs_by_code(codes) -> dict:
    found = {}
    for chunk in _chunks(codes):
        found.update((o.code, o) for o in Organization.objects.filter(code__in=chunk).order_by())
    return found


@dataclass
class _Known:
    """What the check needs of an organization already in the database."""

    path: str
    level: str
    is_active: bool


@dataclass
class _Plan:
    rows: list
    by: object
    errors: list = field(default_factory=list)
    file: dict = field(default_factory=dict)  # code -> OrgRow (first row with that code)
    existing: dict = field(default_factory=dict)  # code -> Organization, for codes in the file
    parents: dict = field(default_factory=dict)  # code -> Organization named as parent only
    known: dict = field(default_factory=dict)  # code -> _Known, every organization loaded
    code_at: dict = field(default_factory=dict)  # path -> code
    blocked: set = field(default_factory=set)  # codes the importer may not touch
    depth: dict = field(default_factory=dict)  # code -> depth in the resulting tree
    changes: dict = field(default_factory=dict)  # code -> {field: new value}
    moves: set = field(default_factory=set)

    # -------------------------------------------------------------- loading

    def load(self):
        for row in self.rows:
            if not row.code:
                continue
            first = self.file.get(row.code)
            if first is not None:
                self.errors.append(
                    row.error(
                        "code",
                        _("The code %(code)s is already used on row %(row)s.")
                        % {"code": row.code, "row": first.row},
                        "duplicate",
                    )
                )
                continue
            self.file[row.code] = row
        self.existing = _orgs_by_code(self.file)
        named = {r.parent_code for r in self.file.values() if r.parent_code} - self.file.keys()
        self.parents = _orgs_by_code(named)
        loaded = [*self.existing.values(), *self.parents.values()]
        for org in loaded:
            self.known[org.code] = _Known(org.path, org.level, org.is_active)
            self.code_at[org.path] = org.code
        # Ancestors, for the current parent of each and for walking up the tree.
        paths = {p for org in loaded for p in org.ancestor_paths()} - self.code_at.keys()
        for chunk in _chunks(paths):
            for path, code, level, active in Organization.objects.filter(
                path__in=chunk
            ).order_by().values_list("path", "code", "level", "is_active"):
                self.known[code] = _Known(path, level, active)
                self.code_at[path] = code

    def current_parent(self, code):
        path = self.known[code].path
        return self.code_at.get(path[:-STEP]) if len(path) > STEP else None

    def parent_of(self, code):
        """The code of `code`'s parent in the resulting tree; None for a root; False if unknown."""
        row = self.file.get(code)
        if row is None:
            return self.current_parent(code)
        if "parent_code" in row.bad_fields:
            return False  # already reported; do not report its consequences too
        if not row.parent_code:
            return None
        if row.parent_code in self.file or row.parent_code in self.known:
            return row.parent_code
        return False

    def level_of(self, code):
        row = self.file.get(code)
        if row is not None:
            return row.values.get("level")
        return self.known[code].level

    # -------------------------------------------------------------- checks

    def check(self):
        categories = None
        if any(r.category for r in self.file.values()):
            categories = {}
            for cat in Category.objects.all():
                categories[cat.code] = cat
                categories[cat.name] = cat
        for code, row in self.file.items():
            org = self.existing.get(code)
            if org is not None and not can_manage(self.by, org):
                self.errors.append(
                    row.error("code", _("You may not change this organization."), "permission")
                )
                self.blocked.add(code)
                continue
            if row.category is not None and "category" not in row.bad_fields:
                self._check_category(row, categories)
            self._check_parent(row, org)
        self._walk()
        self._check_levels()
        self._collect_changes()

    def _check_category(self, row, categories):
        if not row.category:
            row.values["category"] = None
            return
        cat = categories.get(row.category)
        if cat is None:
            self.errors.append(
                row.error(
                    "category",
                    _("Unknown category “%(value)s”.") % {"value": row.category},
                    "unknown_category",
                )
            )
            row.bad_fields.add("category")
            return
        row.values["category"] = cat

    def _parent_error(self, row, message, code):
        self.errors.append(row.error("parent_code", message, code))
        row.bad_fields.add("parent_code")

    def _check_parent(self, row, org):
        if "parent_code" in row.bad_fields:
            return
        parent_code = row.parent_code
        if not parent_code:
            if org is not None and org.depth > 1:
                self._parent_error(
                    row,
                    _("Fill in the superior organization's code: an existing organization "
                      "cannot become top-level here."),
                    "root",
                )
            elif org is None and not is_unrestricted(self.by):
                self._parent_error(
                    row,
                    _("Fill in the superior organization's code: only a system administrator "
                      "may create a top-level organization."),
                    "root",
                )
            return
        unknown = _("Unknown superior organization code %(code)s.") % {"code": parent_code}
        if parent_code == row.code:
            self._parent_error(row, _("An organization cannot be its own superior."), "cycle")
            return
        if parent_code not in self.file and parent_code not in self.known:
            self._parent_error(row, unknown, "unknown_parent")
            return
        if org is not None and self.current_parent(row.code) == parent_code:
            return  # unchanged: nothing to check about a parent the user may not manage
        if org is not None:
            self.moves.add(row.code)
        if parent_code in self.file and parent_code not in self.existing:
            return  # a new organization of this file: its own row is checked
        parent = self.known[parent_code]
        if not path_in_scope(self.by, parent.path):
            self._parent_error(row, unknown, "unknown_parent")
        elif not path_in_scope(self.by, parent.path, MANAGING_ROLES):
            self._parent_error(
                row,
                _("You may not add organizations under %(code)s.") % {"code": parent_code},
                "permission",
            )
        elif not parent.is_active:
            self._parent_error(
                row,
                _("The superior organization %(code)s is deactivated.") % {"code": parent_code},
                "inactive_parent",
            )

    def _walk(self):
        """Depth of every row in the resulting tree; rows on a cycle are errors."""
        depth = self.depth
        for start in self.file:
            chain, seen, cur = [], set(), start
            while cur is not None and cur is not False and cur not in depth:
                if cur in seen:
                    cycle = chain[chain.index(cur):]
                    text = " → ".join([*cycle, cur])
                    for code in cycle:
                        if code in self.file and code not in self.blocked:
                            self._parent_error(
                                self.file[code],
                                _("The superior codes form a cycle: %(cycle)s.") % {"cycle": text},
                                "cycle",
                            )
                    cur = False
                    break
                seen.add(cur)
                chain.append(cur)
                cur = self.parent_of(cur)
            base = 0 if cur is None else depth.get(cur) if cur is not False else None
            for code in reversed(chain):
                base = None if base is None else base + 1
                depth[code] = base

    def _level_error(self, row, message):
        self.errors.append(row.error("level", message, "level"))

    def _check_levels(self):
        """Levels are checked where the file changes something: a new or moved row, a
        new level, or a parent with a new level (rows as they are stay acceptable)."""
        level_changed = {}  # path -> code
        for code, row in self.file.items():
            org = self.existing.get(code)
            if org is None or code in self.blocked or "level" not in row.values:
                continue
            if row.values["level"] != org.level:
                level_changed[org.path] = code
        changed_codes = set(level_changed.values())
        for code, row in self.file.items():
            if code in self.blocked or self.depth.get(code) is None:
                continue
            parent = self.parent_of(code)
            if not parent:
                continue
            touched = (
                code not in self.existing
                or code in self.moves
                or code in changed_codes
                or parent in changed_codes
            )
            child_level, parent_level = self.level_of(code), self.level_of(parent)
            if touched and child_level and parent_level and not level_can_hold(
                parent_level, child_level
            ):
                self._level_error(
                    row,
                    _("A %(parent)s (%(code)s) cannot hold a %(child)s.")
                    % {
                        "parent": LEVEL_NAMES[parent_level],
                        "code": parent,
                        "child": LEVEL_NAMES[child_level],
                    },
                )
        self._check_children_left_behind(level_changed)

    def _check_children_left_behind(self, level_changed):
        """A new level must still hold the children the file does not mention."""
        for chunk in _chunks(level_changed):
            children = (
                Organization.objects.order_by()
                .annotate(parent_path=Substr("path", 1, Length("path") - STEP))
                .filter(parent_path__in=chunk)
                .values_list("parent_path", "code", "level")
            )
            for parent_path, code, level in children:
                if code in self.file:
                    continue  # its own row says where it goes and is checked there
                parent_code = level_changed[parent_path]
                new_level = self.file[parent_code].values["level"]
                if not level_can_hold(new_level, level):
                    self._level_error(
                        self.file[parent_code],
                        _("A %(parent)s cannot hold its current subordinate %(child)s (%(code)s).")
                        % {"parent": LEVEL_NAMES[new_level], "child": LEVEL_NAMES[level],
                           "code": code},
                    )

    def _collect_changes(self):
        for code, org in self.existing.items():
            if code in self.blocked:
                continue
            diff = {}
            for name, value in self.file[code].values.items():
                if name == "code":
                    continue
                if name == "category":
                    if org.category_id != (value.pk if value else None):
                        diff[name] = value
                elif getattr(org, name) != value:
                    diff[name] = value
            if diff:
                self.changes[code] = diff

    # -------------------------------------------------------------- writing

    def _org(self, code, created):
        return created.get(code) or self.existing.get(code) or self.parents[code]

    def apply(self) -> ImportSummary:
        reason = import_reason()
        new_codes = sorted(
            (c for c in self.file if c not in self.existing), key=lambda c: self.depth[c]
        )
        created = {}
        items = []
        for code in new_codes:
            row = self.file[code]
            if not row.parent_code:  # a new county: superusers only, rare
                created[code] = org_create(parent=None, by=self.by, **row.values)
                continue
            org = Organization(**row.values)
            items.append((org, self._org(row.parent_code, created)))
            created[code] = org
        if items:
            bulk_add(items, by=self.by, reason=reason)

        if self.changes:
            fresh = _orgs_by_code(self.changes)
            now = timezone.now()
            names = set()
            for code, diff in self.changes.items():
                org = fresh[code]
                for name, value in diff.items():
                    setattr(org, name, value)
                names.update(diff)
                org.updated_at = now
            bulk_update_with_history(
                list(fresh.values()), Organization, sorted(names) + ["updated_at"],
                batch_size=500, default_user=self.by, default_change_reason=reason,
            )

        for code in sorted(self.moves, key=lambda c: self.depth[c]):
            parent = self._org(self.file[code].parent_code, created)
            try:
                org_move(org=self.existing[code], new_parent=parent, by=self.by)
            except ValidationError as exc:
                # The checks above should make this unreachable; if not, say so per row.
                raise ImportRejected(
                    [self.file[code].error("parent_code", " ".join(exc.messages), "move")]
                ) from None

        unchanged = sum(
            1 for c in self.existing if c not in self.changes and c not in self.moves
        )
        return ImportSummary(
            created=len(new_codes), updated=len(self.changes), moved=len(self.moves),
            unchanged=unchanged,
        )


def org_import(*, rows: list[OrgRow], by, cell_errors=()) -> ImportSummary:
    """Check every row, then create, update and move in one transaction.

    `cell_errors` are problems found while reading the file: if there are any,
    nothing is written, but the rows are still checked so the user sees every
    problem at once. Raises ImportRejected with all problems.
    """
    try:
        with transaction.atomic():
            plan = _Plan(rows=rows, by=by)
            plan.load()
            plan.check()
            errors = [*cell_errors, *plan.errors]
            if errors:
                raise ImportRejected(errors)
            return plan.apply()
    except IntegrityError:
        raise ImportRejected(
            [CellError(None, "", _("The tree was changed while importing; import the file again."),
                       "conflict")]
        ) from None
