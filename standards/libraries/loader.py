"""Loading a shipped library: JSON file → ItemSpecs → set_create, set_fill, set_publish.

The same services as the Excel import, so a shipped library passes exactly the
checks an uploaded one would (kinds, thresholds, conditions, categories), and
its history says who loaded it.

A library is loaded once per issuer: if the organization already has a set
with the library's code, in any version or status, it is left alone. A county
that made its own version 2 must not get our version 1 back, and a county that
retired the library meant it.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from orgs.models import Category, Organization

from .. import services
from ..conditions import parse_conditions
from ..models import StandardSet

LIBRARY_DIR = Path(__file__).resolve().parent
# In the order they are loaded and listed.
LIBRARY_CODES = ("wuhua", "sanhua", "wugehao", "bayou")

SET_KEYS = {"code", "name", "year", "source_document", "description", "grade_levels"}
FILE_KEYS = SET_KEYS | {"dimensions", "items"}
ITEM_REQUIRED = {"dimension", "code", "requirement", "kind", "max_score", "source"}
ITEM_OPTIONAL = {
    "guidance", "comparator", "threshold", "unit", "proportional", "is_veto",
    "evidence_required", "categories", "conditions",
}


class LibraryError(ValueError):
    """A shipped data file is wrong: a bug in the files, not in anyone's input."""


@dataclass
class LoadResult:
    code: str
    standard_set: StandardSet
    created: bool
    items: int
    dimensions: int


def read_library(code: str) -> dict:
    if code not in LIBRARY_CODES:
        raise LibraryError(f"unknown library {code!r}; known: {', '.join(LIBRARY_CODES)}")
    data = json.loads((LIBRARY_DIR / f"{code}.json").read_text(encoding="utf-8"))
    unknown = set(data) - FILE_KEYS
    if unknown or data.get("code") != code:
        raise LibraryError(f"{code}.json: unknown keys {sorted(unknown)} or wrong code")
    return data


def _decimal(value):
    return None if value is None else Decimal(str(value))


def item_specs(data: dict, *, category_ids: dict[str, int]) -> list[services.ItemSpec]:
    """The file's items as ItemSpecs, ordered by the declared dimensions.

    `category_ids` maps category codes to primary keys. Anything the services
    would not catch (a misspelt key, dimension or category code) fails here,
    naming the item.
    """
    dimensions = data["dimensions"]
    order = {name: i for i, name in enumerate(dimensions)}
    specs = []
    for raw in data["items"]:
        where = f"{data['code']}.json {raw.get('code', '?')}"
        keys = set(raw)
        if not ITEM_REQUIRED <= keys or keys - ITEM_REQUIRED - ITEM_OPTIONAL:
            raise LibraryError(
                f"{where}: missing {sorted(ITEM_REQUIRED - keys)}, "
                f"unknown {sorted(keys - ITEM_REQUIRED - ITEM_OPTIONAL)}"
            )
        if raw["dimension"] not in order:
            raise LibraryError(f"{where}: dimension {raw['dimension']!r} is not declared")
        missing = [c for c in raw.get("categories", []) if c not in category_ids]
        if missing:
            raise LibraryError(f"{where}: unknown categories {missing}")
        try:
            conditions = parse_conditions(raw.get("conditions", ""))
        except ValidationError as exc:
            raise LibraryError(f"{where}: {'; '.join(exc.messages)}") from exc
        specs.append(services.ItemSpec(
            dimension=raw["dimension"],
            code=raw["code"],
            requirement=raw["requirement"],
            kind=raw["kind"],
            max_score=_decimal(raw["max_score"]),
            guidance=raw.get("guidance", ""),
            comparator=raw.get("comparator", ""),
            threshold=_decimal(raw.get("threshold")),
            unit=raw.get("unit", ""),
            proportional=raw.get("proportional", False),
            is_veto=raw.get("is_veto", False),
            evidence_required=raw.get("evidence_required", False),
            category_ids=[category_ids[c] for c in raw.get("categories", [])],
            conditions=conditions,
            source=raw["source"],
        ))
    unused = set(dimensions) - {spec.dimension for spec in specs}
    if unused:
        raise LibraryError(f"{data['code']}.json: dimensions without items {sorted(unused)}")
    # Stable: items keep their file order within a dimension.
    return sorted(specs, key=lambda spec: order[spec.dimension])


def build_library(code: str, *, organization: Organization, by) -> StandardSet:
    """A new draft of the library, filled but not published."""
    data = read_library(code)
    specs = item_specs(data, category_ids=dict(Category.objects.values_list("code", "pk")))
    fields = {key: data[key] for key in ("source_document", "description", "grade_levels")
              if key in data}
    standard_set = services.set_create(
        organization=organization, code=code, name=data["name"], year=data["year"], by=by,
        **fields,
    )
    services.set_fill(standard_set=standard_set, items=specs, by=by)
    return standard_set


def load_libraries(*, organization: Organization, by=None, only=None) -> list[LoadResult]:
    """Publish each shipped library the organization does not have yet; skip the others.

    One transaction per library. The organization row is locked first, so two
    runs at once for the same county load each library once, not twice.
    """
    unknown = set(only or ()) - set(LIBRARY_CODES)
    if unknown:
        raise LibraryError(f"unknown libraries {sorted(unknown)}; known: {', '.join(LIBRARY_CODES)}")
    codes = [c for c in LIBRARY_CODES if only is None or c in only]
    created = {}
    for code in codes:
        with transaction.atomic():
            Organization.objects.select_for_update().filter(pk=organization.pk).first()
            if StandardSet.objects.filter(organization=organization, code=code).exists():
                continue
            standard_set = build_library(code, organization=organization, by=by)
            created[code] = services.set_publish(standard_set=standard_set, by=by)
    # The newest version of each, with its counts, for the summary.
    latest = {}
    for standard_set in (
        StandardSet.objects.filter(organization=organization, code__in=codes)
        .annotate(n_items=Count("items", distinct=True), n_dims=Count("dimensions", distinct=True))
        .order_by("code", "-version")
    ):
        latest.setdefault(standard_set.code, standard_set)
    return [
        LoadResult(
            code=code, standard_set=latest[code], created=code in created,
            items=latest[code].n_items, dimensions=latest[code].n_dims,
        )
        for code in codes
    ]
