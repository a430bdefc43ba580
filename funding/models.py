"""经费保障: what policy promises each organization, what was planned, what was paid.

A `FundingPolicy` is one money rule of a county (村级运转经费 20–30万元/年, 书记基本
报酬 1800元/月, 50元 per member …): what kind of money, to whom (categories,
levels, founded that year, the top organization of its category only), how it is
computed (its `basis`), for which years, and the document it comes from.

An `Allocation` is one policy for one organization in one year: the basis
quantity it was computed from (months, members, payroll, heads), the range the
policy promises (its minimum is what compliance checks), and the amount planned.
A `Disbursement` is one payment against an allocation. Money is Decimal yuan
with two places, never float.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orgs.models import Category, Level, Organization

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class FundingKind(models.TextChoices):
    OPERATING = "operating", _("Operating funds")
    SECRETARY_PAY = "secretary_pay", _("Secretary base pay")
    ALLOWANCE = "allowance", _("Work allowance")
    STARTUP = "startup", _("Startup grant")
    VENUE = "venue", _("Venue construction subsidy")
    PARTY_WORK = "party_work", _("Party-building work funds")
    SERVICE = "service", _("Funds for serving the public")
    ACTIVITY = "activity", _("Party activity funds")


class Basis(models.TextChoices):
    """How a policy's rate turns into an amount for one organization and year."""

    PER_YEAR = "per_year", _("Per year")
    PER_MONTH = "per_month", _("Per month")
    PER_MEMBER = "per_member", _("Per party member per year")
    PER_HEAD = "per_head", _("Per person per year")
    PAYROLL_SHARE = "payroll_share", _("Share of payroll (%)")
    ONE_OFF = "one_off", _("One-off")


class AppliesWhen(models.TextChoices):
    EVERY_YEAR = "every_year", _("Every year")
    FOUNDED_IN_YEAR = "founded_in_year", _("In the year the organization was founded")
    ON_APPLICATION = "on_application", _("On application (added by hand)")


class PolicyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A county's policies are read by everyone in it, as its standard library is."""
        from orgs.scoping import lineage_q

        return self.filter(lineage_q(user, "owner__"))

    def in_force(self, year):
        return self.filter(is_active=True, valid_from__lte=year).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=year)
        )


class FundingPolicy(models.Model):
    """经费标准: one money rule, as its source document states it."""

    owner = models.ForeignKey(
        Organization, verbose_name=_("issued by"), on_delete=models.PROTECT,
        related_name="funding_policies",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of money"), max_length=20, choices=FundingKind.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    rate_min = models.DecimalField(
        _("minimum rate"), **MONEY, validators=[MinValueValidator(ZERO)],
        help_text=_("Yuan per year, month, member or person, or a payroll percentage."),
    )
    rate_max = models.DecimalField(
        _("maximum rate"), **MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)],
        help_text=_("Leave empty where the policy names one figure or only a floor."),
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="+",
        help_text=_("Leave empty for every category."),
    )
    levels = models.JSONField(
        _("levels"), default=list, blank=True, help_text=_("Leave empty for every level."),
    )
    top_of_category_only = models.BooleanField(
        _("one per village or community"), default=False,
        help_text=_("Only the highest organization of its category in a line: a village's "
                    "general branch, not the branches under it."),
    )
    applies_when = models.CharField(
        _("applies"), max_length=20, choices=AppliesWhen.choices, default=AppliesWhen.EVERY_YEAR,
    )
    valid_from = models.PositiveSmallIntegerField(_("from year"))
    valid_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    source_document = models.CharField(_("source document"), max_length=200)
    source_text = models.TextField(_("source text"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[categories])
    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["owner_id", "kind", "code"]
        verbose_name = _("funding policy")
        verbose_name_plural = _("funding policies")
        constraints = [
            models.UniqueConstraint(fields=["owner", "code"], name="funding_policy_code_per_owner"),
            models.CheckConstraint(
                condition=Q(rate_max__isnull=True) | Q(rate_max__gte=models.F("rate_min")),
                name="funding_policy_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="funding_policy_year_range",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.rate_max is not None and self.rate_min is not None and self.rate_max < self.rate_min:
            errors["rate_max"] = _("The maximum rate cannot be below the minimum rate.")
        if self.valid_to is not None and self.valid_from is not None and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The last year cannot be before the first year.")
        if self.basis == Basis.PAYROLL_SHARE and self.rate_min is not None and (
            self.rate_min > 100 or (self.rate_max or 0) > 100
        ):
            errors["rate_min"] = _("A share of payroll is a percentage: at most 100.")
        unknown = [lv for lv in self.levels or [] if lv not in Level.values]
        if unknown:
            errors["levels"] = _("Unknown level: %(level)s.") % {"level": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)

    @property
    def needs_quantity(self) -> bool:
        """Payroll and head counts are not in the tree: staff enter them per allocation."""
        return self.basis in (Basis.PAYROLL_SHARE, Basis.PER_HEAD)


class Scoped(models.QuerySet):
    def visible_to(self, user):
        from orgs.scoping import scope_q

        return self.filter(scope_q(user, "organization__"))


class Allocation(models.Model):
    """经费安排: one policy for one organization in one year, planned against its promise."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
        related_name="funding_allocations",
    )
    policy = models.ForeignKey(
        FundingPolicy, verbose_name=_("funding policy"), on_delete=models.PROTECT,
        related_name="allocations",
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    quantity = models.DecimalField(
        _("basis quantity"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Months, members, persons or payroll (yuan) the amount is computed from."),
    )
    promised_min = models.DecimalField(_("policy minimum"), **MONEY, null=True, blank=True)
    promised_max = models.DecimalField(_("policy maximum"), **MONEY, null=True, blank=True)
    planned = models.DecimalField(
        _("planned"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = Scoped.as_manager()

    class Meta:
        ordering = ["year", "organization__path", "policy__kind", "policy__code"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "policy", "year"], name="allocation_once_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.policy} · {self.organization}"


class DisbursementQuerySet(models.QuerySet):
    def visible_to(self, user):
        from orgs.scoping import scope_q

        return self.filter(scope_q(user, "allocation__organization__"))


class Disbursement(models.Model):
    """经费拨付: one payment against an allocation, with its voucher."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT,
        related_name="disbursements",
    )
    paid_on = models.DateField(_("paid on"), default=timezone.localdate)
    amount = models.DecimalField(
        _("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    voucher_no = models.CharField(_("voucher number"), max_length=40, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = DisbursementQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive"),
        ]

    def __str__(self):
        return f"{self.voucher_no} {self.amount}"
