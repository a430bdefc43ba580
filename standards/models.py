"""标准体系: standard sets, their dimensions (方面) and items (标准条目).

A published set is frozen: every later self-check and grade is measured against
it, so its items, scores and applicability must never move under them. The
models refuse changes themselves (save, delete, bulk update, categories), not
only the forms; a change means a new version.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orgs.models import Category, Organization


class FrozenError(ValidationError):
    """A change to a set that is no longer a draft."""


def default_grade_levels():
    # 好/较好/一般/差 with their share of an item's max score; a set may set its own.
    return [
        {"label": "好", "share": "1"},
        {"label": "较好", "share": "0.8"},
        {"label": "一般", "share": "0.6"},
        {"label": "差", "share": "0"},
    ]


class SetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class StandardSetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sets owned by an organization in the user's scope or above it (their county's)."""
        from orgs.scoping import lineage_q

        return self.filter(lineage_q(user, "organization__"))

    def published(self):
        return self.filter(status=SetStatus.PUBLISHED)

    # Bulk writes must not slip past the freeze (see StandardSet.save): a published
    # or retired row may only be (re)marked retired, and never deleted.
    def update(self, **kwargs):
        retiring = set(kwargs) <= StandardSet.MUTABLE_WHEN_FROZEN and kwargs.get(
            "status", SetStatus.RETIRED
        ) == SetStatus.RETIRED
        if not retiring and self.exclude(status=SetStatus.DRAFT).exists():
            raise FrozenError(_("A published set cannot change; make a new version instead."))
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=SetStatus.DRAFT).exists():
            raise FrozenError(_("A published set cannot be deleted; retire it instead."))
        return super().delete()


class StandardSet(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="standard_sets",
        help_text=_("The county (or committee) whose library this is."),
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("The same for every version of one library.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveIntegerField(_("year"))
    source_document = models.CharField(_("source document"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    grade_levels = models.JSONField(
        _("grade levels"),
        default=default_grade_levels,
        help_text=_("For graded items: each level's label and its share of the max score."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SetStatus.choices, default=SetStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = StandardSetQuerySet.as_manager()

    # What may still change once published: the move to retired.
    MUTABLE_WHEN_FROZEN = {"status", "retired_at", "updated_at"}

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("standard set")
        verbose_name_plural = _("standard sets")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code", "version"], name="standardset_unique_version"
            )
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_draft(self):
        return self.status == SetStatus.DRAFT

    def save(self, *args, **kwargs):
        if self.pk:
            stored = (
                StandardSet.objects.filter(pk=self.pk).values(*self._frozen_fields()).first()
            )
            if stored and stored["status"] != SetStatus.DRAFT:
                changed = [
                    name
                    for name in self._frozen_fields()
                    if name != "status" and stored[name] != getattr(self, name)
                ]
                if changed or (
                    stored["status"] == SetStatus.RETIRED and self.status != SetStatus.RETIRED
                ):
                    raise FrozenError(
                        _("A published set cannot change; make a new version instead.")
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise FrozenError(_("A published set cannot be deleted; retire it instead."))
        return super().delete(*args, **kwargs)

    @classmethod
    def _frozen_fields(cls):
        return [
            f.attname
            for f in cls._meta.concrete_fields
            if f.name not in cls.MUTABLE_WHEN_FROZEN - {"status"} and not f.primary_key
        ]

    def grade_shares(self):
        """{label: Decimal share} of the set's grade levels."""
        return {level["label"]: Decimal(str(level["share"])) for level in self.grade_levels}


class FrozenGuardQuerySet(models.QuerySet):
    """Bulk writes must not slip past the freeze either."""

    set_path = "standard_set"

    def _touches_frozen(self):
        return self.exclude(**{f"{self.set_path}__status": SetStatus.DRAFT}).exists()

    def update(self, **kwargs):
        if self._touches_frozen():
            raise FrozenError(_("A published set cannot change; make a new version instead."))
        return super().update(**kwargs)

    def delete(self):
        if self._touches_frozen():
            raise FrozenError(_("A published set cannot change; make a new version instead."))
        return super().delete()


class FrozenGuardMixin:
    """save() and delete() of a row that belongs to a set: only while the set is a draft."""

    def _check_draft(self):
        status = (
            StandardSet.objects.filter(pk=self.standard_set_id)
            .values_list("status", flat=True)
            .first()
        )
        if status is not None and status != SetStatus.DRAFT:
            raise FrozenError(_("A published set cannot change; make a new version instead."))

    def save(self, *args, **kwargs):
        self._check_draft()
        if self.pk is not None:
            # Moving a row out of a frozen set is a change to that set too.
            old_set = type(self).objects.filter(pk=self.pk).values_list(
                "standard_set_id", flat=True
            ).first()
            if old_set is not None and old_set != self.standard_set_id:
                raise FrozenError(_("An item cannot move to another set."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)


class Dimension(FrozenGuardMixin, models.Model):
    """方面: e.g. 支部建设标准化. Items are grouped and (optionally) weighted by it."""

    standard_set = models.ForeignKey(
        StandardSet, verbose_name=_("standard set"), on_delete=models.CASCADE,
        related_name="dimensions",
    )
    name = models.CharField(_("name"), max_length=100)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Optional share of the total score; empty means by the items' scores."),
    )

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        ordering = ["ordering", "pk"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["standard_set", "name"], name="dimension_unique_name")
        ]

    def __str__(self):
        return self.name


class ItemKind(models.TextChoices):
    CHECK = "check", _("Yes / no")
    NUMBER = "number", _("Number against a threshold")
    GRADED = "graded", _("Graded")
    TEXT = "text", _("Written answer")


class Comparator(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"
    EQ = "=", "="


class StandardItem(FrozenGuardMixin, models.Model):
    """标准条目. How it is answered and scored depends on `kind` (see standards.scoring).

    `conditions` makes an item apply only to some organizations, as data:
    a list of {"field": ..., "op": ..., "value": ...} that must all hold, over the
    organization facts in standards.scoring.CONDITION_FIELDS (e.g. the 70 ㎡ rule
    only where member_count >= 10).
    """

    standard_set = models.ForeignKey(
        StandardSet, verbose_name=_("standard set"), on_delete=models.CASCADE, related_name="items"
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("number"), max_length=30)
    requirement = models.TextField(_("requirement"))
    guidance = models.TextField(_("scoring guidance"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    comparator = models.CharField(
        _("comparison"), max_length=2, choices=Comparator.choices, blank=True
    )
    threshold = models.DecimalField(
        _("threshold"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    proportional = models.BooleanField(
        _("partial score below the threshold"),
        default=False,
        help_text=_("For number items: a value short of the threshold earns its share of the score."),
    )
    max_score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    is_veto = models.BooleanField(_("veto (一票否决)"), default=False)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("applicable categories"),
        blank=True,
        related_name="standard_items",
        help_text=_("Empty means every category."),
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the item comes from; say when it is our own wording of a sentence."),
    )

    history = HistoricalRecords(excluded_fields=["ordering"])
    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        ordering = ["dimension__ordering", "ordering", "pk"]
        verbose_name = _("standard item")
        verbose_name_plural = _("standard items")
        constraints = [
            models.UniqueConstraint(fields=["standard_set", "code"], name="standarditem_unique_code")
        ]

    def __str__(self):
        return f"{self.code} {self.requirement[:30]}"

    def clean(self):
        from .conditions import validate_conditions

        errors = {}
        if self.dimension_id and self.standard_set_id and (
            self.dimension.standard_set_id != self.standard_set_id
        ):
            errors["dimension"] = _("The dimension belongs to another set.")
        if self.kind == ItemKind.NUMBER:
            if self.threshold is None:
                errors["threshold"] = _("A number item needs a threshold.")
            if not self.comparator:
                errors["comparator"] = _("A number item needs a comparison.")
        try:
            validate_conditions(self.conditions)
        except ValidationError as exc:
            errors["conditions"] = exc.messages
        if errors:
            raise ValidationError(errors)

    @property
    def requirement_line(self):
        """'≥ 70 ㎡' for a number item, for lists and the printed checklist."""
        if self.kind != ItemKind.NUMBER or self.threshold is None:
            return ""
        threshold = self.threshold.normalize()
        threshold = threshold.quantize(Decimal(1)) if threshold == threshold.to_integral() else threshold
        return f"{Comparator(self.comparator).label} {threshold} {self.unit}".strip()


@receiver(m2m_changed, sender=StandardItem.categories.through)
def _refuse_category_change_when_frozen(sender, instance, action, pk_set, **kwargs):
    """Applicability is part of a published set too. An integrity guard, not business
    logic: it is the only hook that sees `item.categories.add/remove/set/clear`."""
    if action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    if isinstance(instance, StandardItem):
        instance._check_draft()
        return
    # From the category's side: the items being linked or unlinked.
    if action == "pre_clear":
        items = instance.standard_items.all()
    else:
        items = StandardItem.objects.filter(pk__in=pk_set or [])
    if items.exclude(standard_set__status=SetStatus.DRAFT).exists():
        raise FrozenError(_("A published set cannot change; make a new version instead."))
