"""Writes to the standard library: build a draft, publish, new version, retire.

The Excel import, the shipped libraries, the pages and the admin all build sets
through `set_fill`, so one set of rules decides what a valid item is.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from .models import Dimension, FrozenError, ItemKind, SetStatus, StandardItem, StandardSet


@dataclass
class ItemSpec:
    """One item as a file or a library describes it, before it is saved."""

    dimension: str
    code: str
    requirement: str
    kind: str
    max_score: Decimal
    guidance: str = ""
    comparator: str = ""
    threshold: Decimal | None = None
    unit: str = ""
    proportional: bool = False
    is_veto: bool = False
    evidence_required: bool = False
    category_ids: list = field(default_factory=list)
    conditions: list = field(default_factory=list)
    source: str = ""


def _require_draft(standard_set):
    if not standard_set.is_draft:
        raise FrozenError(_("A published set cannot change; make a new version instead."))


@transaction.atomic
def set_create(*, organization, code, name, year, by, **fields) -> StandardSet:
    version = (
        StandardSet.objects.filter(organization=organization, code=code).aggregate(v=Max("version"))[
            "v"
        ]
        or 0
    ) + 1
    standard_set = StandardSet(
        organization=organization, code=code, name=name, year=year, version=version, **fields
    )
    standard_set.full_clean()
    standard_set._history_user = by
    standard_set.save()
    return standard_set


@transaction.atomic
def set_fill(*, standard_set, items: list[ItemSpec], by, reason="") -> list[StandardItem]:
    """Replace a draft's dimensions and items with these, in this order.

    Dimensions are created in the order they first appear. Every item is checked
    with the model's own validation before anything is written.
    """
    _require_draft(standard_set)
    codes = [spec.code for spec in items]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationError(_("Duplicate item numbers: %(codes)s") % {"codes": "、".join(duplicates)})
    StandardItem.objects.filter(standard_set=standard_set).delete()
    Dimension.objects.filter(standard_set=standard_set).delete()

    dimensions = {}
    for spec in items:
        if spec.dimension not in dimensions:
            dimensions[spec.dimension] = Dimension(
                standard_set=standard_set, name=spec.dimension, ordering=len(dimensions) + 1
            )
    Dimension.objects.bulk_create(dimensions.values())

    rows = []
    for ordering, spec in enumerate(items, start=1):
        item = StandardItem(
            standard_set=standard_set,
            dimension=dimensions[spec.dimension],
            code=spec.code,
            requirement=spec.requirement,
            guidance=spec.guidance,
            kind=spec.kind,
            comparator=spec.comparator if spec.kind == ItemKind.NUMBER else "",
            threshold=spec.threshold if spec.kind == ItemKind.NUMBER else None,
            unit=spec.unit,
            proportional=spec.proportional and spec.kind == ItemKind.NUMBER,
            max_score=spec.max_score,
            is_veto=spec.is_veto,
            evidence_required=spec.evidence_required,
            ordering=ordering,
            conditions=spec.conditions,
            source=spec.source,
        )
        item.full_clean(exclude=["standard_set", "dimension"], validate_unique=False)
        rows.append(item)
    created = bulk_create_with_history(
        rows, StandardItem, batch_size=500, default_user=by, default_change_reason=reason or None
    )
    through = StandardItem.categories.through
    through.objects.bulk_create(
        through(standarditem_id=item.pk, category_id=category_id)
        for item, spec in zip(created, items, strict=True)
        for category_id in spec.category_ids
    )
    return created


def check_publishable(standard_set) -> list[str]:
    """What stops a draft from being published (empty when it can be)."""
    problems = []
    # One query whatever the size (the set page shows these): the dimension comes
    # with the item for clean()'s same-set check, and the foreign keys and the
    # unique code, which the database enforces, are not re-checked row by row.
    items = list(standard_set.items.select_related("dimension"))
    if not items:
        problems.append(_("The set has no items."))
    for item in items:
        try:
            item.full_clean(
                exclude=["standard_set", "dimension"], validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            problems.append(f"{item.code}: {'；'.join(exc.messages)}")
    if any(item.kind == ItemKind.GRADED for item in items) and not standard_set.grade_levels:
        problems.append(_("Graded items need the set's grade levels."))
    return problems


@transaction.atomic
def set_publish(*, standard_set, by) -> StandardSet:
    """Freeze the draft; earlier published versions of the same library are retired."""
    standard_set = StandardSet.objects.select_for_update().get(pk=standard_set.pk)
    _require_draft(standard_set)
    problems = check_publishable(standard_set)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for older in StandardSet.objects.filter(
        organization=standard_set.organization_id,
        code=standard_set.code,
        status=SetStatus.PUBLISHED,
    ):
        _retire(older, by=by, when=now)
    standard_set.status = SetStatus.PUBLISHED
    standard_set.published_at = now
    standard_set._history_user = by
    standard_set._change_reason = _("Published")
    standard_set.save()
    return standard_set


def _retire(standard_set, *, by, when):
    standard_set.status = SetStatus.RETIRED
    standard_set.retired_at = when
    standard_set._history_user = by
    standard_set._change_reason = _("Retired")
    standard_set.save()


@transaction.atomic
def set_retire(*, standard_set, by) -> StandardSet:
    if standard_set.status != SetStatus.PUBLISHED:
        raise ValidationError(_("Only a published set can be retired."))
    _retire(standard_set, by=by, when=timezone.now())
    return standard_set


@transaction.atomic
def set_new_version(*, standard_set, by) -> StandardSet:
    """Copy a set, with its dimensions, items, categories and conditions, into a new draft."""
    existing_draft = StandardSet.objects.filter(
        organization=standard_set.organization_id, code=standard_set.code, status=SetStatus.DRAFT
    ).first()
    if existing_draft is not None:
        raise ValidationError(
            _("Version %(version)s of this library is already a draft: edit that one.")
            % {"version": existing_draft.version}
        )
    copy = set_create(
        organization=standard_set.organization,
        code=standard_set.code,
        name=standard_set.name,
        year=standard_set.year,
        by=by,
        source_document=standard_set.source_document,
        description=standard_set.description,
        grade_levels=standard_set.grade_levels,
        previous=standard_set,
    )
    items = standard_set.items.select_related("dimension").prefetch_related("categories")
    specs = [
        ItemSpec(
            dimension=item.dimension.name,
            code=item.code,
            requirement=item.requirement,
            kind=item.kind,
            max_score=item.max_score,
            guidance=item.guidance,
            comparator=item.comparator,
            threshold=item.threshold,
            unit=item.unit,
            proportional=item.proportional,
            is_veto=item.is_veto,
            evidence_required=item.evidence_required,
            category_ids=[c.pk for c in item.categories.all()],
            conditions=item.conditions,
            source=item.source,
        )
        for item in items
    ]
    set_fill(standard_set=copy, items=specs, by=by, reason=_("New version"))
    # Keep the dimensions' weights, which ItemSpec does not carry.
    weights = dict(standard_set.dimensions.values_list("name", "weight"))
    for dimension in copy.dimensions.all():
        if weights.get(dimension.name) is not None:
            dimension.weight = weights[dimension.name]
            dimension.save(update_fields=["weight"])
    return copy
