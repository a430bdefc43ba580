"""Applying an uploaded standard set: check every row, then write all or nothing.

`items_from_rows` turns the rows standards/excel.py read into ItemSpecs,
checking what needs the whole file (duplicate 编号) or the database (category
names, one query); it raises ImportRejected with every problem at once.
`set_import` then writes, in one transaction, either a new draft set
(`services.set_create`) or the items of an existing draft, through
`services.set_fill` like every other way of building a set. The number of
queries does not grow with the number of rows.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from orgs.models import Category, Level, Organization, Role
from orgs.scoping import grants, is_unrestricted, scope_q
from partybuild.xlsx import CellError

from .excel import HEADERS, ItemRow
from .models import SetStatus, StandardSet
from .services import ItemSpec, set_create, set_fill

_COLUMN_ORDER = {header: i for i, header in enumerate(HEADERS.values())}


def import_reason():
    return _("Excel import")


class ImportRejected(Exception):
    """Nothing was written; `errors` are CellErrors in the file's row and column order."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problems")
        self.errors = sorted(errors, key=lambda e: (e.row or 0, _COLUMN_ORDER.get(e.column, -1)))


@dataclass
class ImportResult:
    standard_set: StandardSet
    items: int
    dimensions: int
    created: bool  # a new set, as opposed to a draft's items replaced


def _category_lookup():
    """Name or code -> pk, over the whole (small) table: one query."""
    lookup = {}
    for pk, code, name in Category.objects.order_by().values_list("pk", "code", "name"):
        lookup[code] = pk
        lookup[name] = pk
    return lookup


def items_from_rows(*, rows: list[ItemRow], cell_errors=()) -> list[ItemSpec]:
    """The rows as ItemSpecs, or ImportRejected naming every problem of the file."""
    errors = list(cell_errors)
    seen = {}
    for row in rows:
        if not row.code:
            continue
        first = seen.setdefault(row.code, row)
        if first is not row:
            errors.append(
                row.error(
                    "code",
                    _("The number %(code)s is already used on row %(row)s.")
                    % {"code": row.code, "row": first.row},
                    "duplicate",
                )
            )
    categories = _category_lookup() if any(r.category_names for r in rows) else {}
    category_ids = {}
    for row in rows:
        ids = []
        for name in row.category_names:
            pk = categories.get(name)
            if pk is None:
                errors.append(
                    row.error(
                        "categories",
                        _("Unknown category “%(value)s”.") % {"value": name},
                        "unknown_category",
                    )
                )
            elif pk not in ids:
                ids.append(pk)
        category_ids[row.row] = ids
    if errors:
        raise ImportRejected(errors)
    return [ItemSpec(**row.values, category_ids=category_ids[row.row]) for row in rows]


def _rejected(messages, code):
    return ImportRejected([CellError(None, "", message, code) for message in messages])


def set_import(*, items: list[ItemSpec], by, into=None, new_set=None) -> ImportResult:
    """Write checked items into the draft `into`, or into a new set made of `new_set`
    (organization, code, name, year, source_document). One transaction: if
    anything fails, no set is created and the draft keeps its items."""
    try:
        with transaction.atomic():
            if into is not None:
                # Locked and read again: it may have been published since the page loaded.
                standard_set = (
                    StandardSet.objects.select_for_update().select_related("organization")
                    .get(pk=into.pk)
                )
                if standard_set.status != SetStatus.DRAFT:
                    raise _rejected([published_message()], "frozen")
            else:
                standard_set = set_create(by=by, **new_set)
            set_fill(standard_set=standard_set, items=items, by=by, reason=import_reason())
    except ValidationError as exc:  # the checks above make this unlikely: say so, write nothing
        raise _rejected(exc.messages, "invalid") from None
    except (IntegrityError, StandardSet.DoesNotExist):
        raise _rejected(
            [_("The set was changed while importing; import the file again.")], "conflict"
        ) from None
    return ImportResult(
        standard_set=standard_set,
        items=len(items),
        dimensions=len({spec.dimension for spec in items}),
        created=into is None,
    )


def published_message():
    return _(
        "This set is no longer a draft, so its items cannot be replaced. "
        "Make a new version and import into that."
    )


# ---------------------------------------------------------------- for the import page


def issuing_orgs(user):
    """Organizations a new set may be issued by: those where the user is county
    staff (a superuser: every active county)."""
    qs = Organization.objects.filter(is_active=True).order_by("path")
    if is_unrestricted(user):
        return qs.filter(level=Level.COUNTY)
    return qs.filter(pk__in=[g.org_id for g in grants(user) if g.role == Role.COUNTY_STAFF])


def editable_drafts(user, limit=20):
    """Drafts the user may replace the items of (can_edit_set, as a filter), newest first."""
    return list(
        StandardSet.objects.filter(scope_q(user, "organization__", roles={Role.COUNTY_STAFF}))
        .filter(status=SetStatus.DRAFT)
        .select_related("organization")
        .order_by("-updated_at", "-pk")[:limit]
    )
