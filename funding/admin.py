"""Admin for policies, allocations and payments, for clerks entering them in bulk.

Scoped like the pages (rectification/admin.py): policies are read down the tree
(a branch reads its county's rules) and written by county staff over the issuing
county; allocations and payments are seen within the scope and written by
committee and county staff over the organization. A foreign key offers only what
the user may write to. Writes go through funding.services where the rule lives:
an allocation's promise follows its basis quantity (services.promise), a payment
passes services.check_payment (its refusals show on the form), a removed payment
keeps its history (services.disbursement_delete).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments.admin import ReadOnlyInline
from orgs.admin import ScopedHistoryMixin
from orgs.models import MANAGING_ROLES, Level, Organization, Role
from orgs.scoping import grants, has_role, is_unrestricted, lineage_q, scope_q

from . import services
from .access import can_manage_money, can_manage_policy
from .display import rate_text
from .forms_filters import FIRST_YEAR
from .models import Allocation, Disbursement, FundingPolicy
from .selectors_policies import policy_owners

LAST_YEAR = 2100


def _staff_with_roles(request):
    return request.user.is_active and request.user.is_staff and (
        is_unrestricted(request.user) or bool(grants(request.user))
    )


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's widget looks the posted value up to show it again and fails on a
    non-number (a tampered form: "organization=abc" would be a 500). Such a value
    is simply not shown; the field's own validation names the error."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if str(v).isdigit()], attr)


class ScopedAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Rows seen through `scope_prefix` (the way to their organization), written by
    `writer_roles` over it (`can_write`)."""

    scope_prefix = "organization__"
    writer_roles = MANAGING_ROLES
    list_per_page = 50

    def scope(self, request):
        return scope_q(request.user, self.scope_prefix)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(self.scope(request))

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return _staff_with_roles(request) and has_role(request.user, *self.writer_roles)

    def can_write(self, request, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return _staff_with_roles(request) and self.can_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organization and "queryset" not in kwargs:
            kwargs["queryset"] = Organization.objects.filter(is_active=True).filter(
                scope_q(request.user, roles=self.writer_roles)
            )
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _year_field(field):
    field.validators += [MinValueValidator(FIRST_YEAR - 10), MaxValueValidator(LAST_YEAR)]


# ---------------------------------------------------------------- policies


class PolicyAdminForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("Levels"), choices=Level.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Leave all unticked for every level."),
    )

    class Meta:
        model = FundingPolicy
        fields = "__all__"
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("valid_from", "valid_to"):
            if name in self.fields:
                _year_field(self.fields[name])

    def clean(self):
        # The code is unique per county; on a change the county is read-only, so
        # Django's own constraint check skips it.
        cleaned = super().clean()
        owner = cleaned.get("owner") or (self.instance.owner if self.instance.owner_id else None)
        code = cleaned.get("code")
        if owner is not None and code:
            taken = FundingPolicy.objects.filter(owner=owner, code=code).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("code", _("%(county)s already has a policy with the code %(code)s.")
                               % {"county": owner.name, "code": code})
        return cleaned


@admin.register(FundingPolicy)
class FundingPolicyAdmin(ScopedAdmin):
    """A county's rules: read by everyone under it, written by its county staff.
    Changing a policy never rewrites the allocations planned under it."""

    form = PolicyAdminForm
    writer_roles = {Role.COUNTY_STAFF}
    list_display = ["name", "code", "owner", "kind", "basis", "rate", "valid_from", "valid_to",
                    "is_active"]
    list_filter = ["kind", "basis", "is_active", "applies_when", "valid_from",
                   ("categories", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "source_document", "source_text"]
    list_select_related = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["owner", "code", "name", "kind", "is_active"]}),
        (_("Rate"), {"fields": ["basis", "rate_min", "rate_max"]}),
        (_("To whom"), {"fields": ["categories", "levels", "top_of_category_only",
                                   "applies_when"]}),
        (_("Years and source"), {"fields": ["valid_from", "valid_to", "source_document",
                                            "source_text"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def scope(self, request):
        return lineage_q(request.user, "owner__")

    def get_readonly_fields(self, request, obj=None):
        # The issuer of a policy never changes.
        return [*self.readonly_fields, "owner"] if obj is not None else self.readonly_fields

    def can_write(self, request, obj):
        return can_manage_policy(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = Organization.objects.filter(
                pk__in=[o.pk for o in policy_owners(request.user)]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("rate"))
    def rate(self, obj):
        return rate_text(obj)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


# ---------------------------------------------------------------- allocations


class DisbursementInline(ReadOnlyInline):
    model = Disbursement
    fields = ["paid_on", "amount", "voucher_no", "note", "recorded_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class AllocationAdminForm(forms.ModelForm):
    """The organization, policy and year of a new allocation; afterwards the basis
    quantity, the plan and the note. The promise is never typed: it follows the basis."""

    class Meta:
        model = Allocation
        fields = ["organization", "policy", "year", "quantity", "planned", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "year" in self.fields:
            _year_field(self.fields["year"])
        if self.instance.pk is None and "planned" in self.fields:
            self.fields["planned"].required = False
            self.fields["planned"].help_text = _("Empty: the policy minimum.")

    def clean(self):
        # services.allocation_create's refusals, on the form instead of a 500 (it checks again).
        cleaned = super().clean()
        if self.instance.pk is not None:
            return cleaned
        org, policy, year = cleaned.get("organization"), cleaned.get("policy"), cleaned.get("year")
        if org is None or policy is None or year is None:
            return cleaned
        facts = services.facts_of(org, services.parent_category_id(org))
        if not services.fits(policy, facts, year):
            self.add_error("policy", _("This policy does not cover this organization in %(year)s.")
                           % {"year": year})
        elif Allocation.objects.filter(organization=org, policy=policy, year=year).exists():
            self.add_error(None, _(
                "This organization already has an allocation under this policy for %(year)s."
            ) % {"year": year})
        return cleaned

    def validate_unique(self):
        # The duplicate is already named by clean(); Django's message would repeat it.
        if self.instance.pk is None and self.has_error(NON_FIELD_ERRORS):
            return
        super().validate_unique()


@admin.register(Allocation)
class AllocationAdmin(ScopedAdmin):
    form = AllocationAdminForm
    list_display = ["year", "organization", "policy", "quantity", "promised_min", "planned",
                    "paid_total", "note"]
    list_filter = ["year", "policy__kind", ("policy", admin.RelatedOnlyFieldListFilter),
                   ("organization__category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["organization__name", "organization__code", "policy__name", "policy__code",
                     "note"]
    list_select_related = ["organization", "policy"]
    autocomplete_fields = ["organization"]
    inlines = [DisbursementInline]
    RECORD = ["promised_min", "promised_max", "created_by", "created_at", "updated_at"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("organization", "policy")
            .annotate(paid_sum=Sum("disbursements__amount"))
        )

    def get_fields(self, request, obj=None):
        fields = list(AllocationAdminForm.Meta.fields)
        return fields if obj is None else [*fields, *self.RECORD]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["organization", "policy", "year", *self.RECORD]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def can_write(self, request, obj):
        return can_manage_money(request.user, obj.organization)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "policy":
            kwargs["queryset"] = FundingPolicy.objects.visible_to(request.user).filter(
                is_active=True
            ).select_related("owner")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("paid"), ordering="paid_sum")
    def paid_total(self, obj):
        return obj.paid_sum if obj.paid_sum is not None else services.ZERO

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.allocation_create(
                organization=data["organization"], policy=data["policy"], year=data["year"],
                by=request.user, quantity=data.get("quantity"), planned=data.get("planned"),
                note=data.get("note", ""),
            )
            obj.__dict__.update(created.__dict__)
            return
        updated = services.allocation_update(
            allocation=obj, by=request.user, quantity=data.get("quantity"),
            planned=data["planned"], note=data.get("note", ""),
        )
        obj.__dict__.update(updated.__dict__)


# ---------------------------------------------------------------- payments


class DisbursementAdminForm(forms.ModelForm):
    class Meta:
        model = Disbursement
        fields = ["allocation", "paid_on", "amount", "voucher_no", "note"]

    def clean(self):
        # services.check_payment's refusals, each on its field (once).
        cleaned = super().clean()
        allocation = cleaned.get("allocation") or (
            self.instance.allocation if self.instance.allocation_id else None
        )
        if allocation is None:
            return cleaned
        errors = services.check_payment(
            allocation=allocation, paid_on=cleaned.get("paid_on"), amount=cleaned.get("amount"),
            voucher_no=cleaned.get("voucher_no", ""), exclude_pk=self.instance.pk,
        )
        for name, message in errors.items():
            if name not in self.errors and name in cleaned:
                self.add_error(name, message)
        return cleaned

    def validate_unique(self):
        # A taken voucher number is check_payment's message; Django's would repeat it.
        if "voucher_no" in self.errors:
            return
        super().validate_unique()


@admin.register(Disbursement)
class DisbursementAdmin(ScopedAdmin):
    form = DisbursementAdminForm
    scope_prefix = "allocation__organization__"
    list_display = ["voucher_no", "paid_on", "amount", "organization", "policy", "year",
                    "recorded_by"]
    list_filter = ["allocation__year", "paid_on", "allocation__policy__kind",
                   ("allocation__policy", admin.RelatedOnlyFieldListFilter),
                   ("allocation__organization__category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["voucher_no", "note", "allocation__organization__name",
                     "allocation__organization__code", "allocation__policy__name"]
    list_select_related = ["allocation__organization", "allocation__policy", "recorded_by"]
    autocomplete_fields = ["allocation"]
    RECORD = ["recorded_by", "created_at"]

    def get_fields(self, request, obj=None):
        fields = list(DisbursementAdminForm.Meta.fields)
        return fields if obj is None else [*fields, *self.RECORD]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["allocation", *self.RECORD]

    def can_write(self, request, obj):
        return can_manage_money(request.user, obj.allocation.organization)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return _staff_with_roles(request) and self.can_write(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "allocation":
            kwargs["queryset"] = Allocation.objects.filter(
                scope_q(request.user, "organization__", roles=self.writer_roles)
            ).select_related("organization", "policy")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("organization"), ordering="allocation__organization__path")
    def organization(self, obj):
        return obj.allocation.organization

    @admin.display(description=_("funding policy"), ordering="allocation__policy__name")
    def policy(self, obj):
        return obj.allocation.policy

    @admin.display(description=_("year"), ordering="allocation__year")
    def year(self, obj):
        return obj.allocation.year

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.disbursement_record(
                allocation=data["allocation"], by=request.user, paid_on=data["paid_on"],
                amount=data["amount"], voucher_no=data["voucher_no"], note=data.get("note", ""),
            )
            obj.__dict__.update(created.__dict__)
            return
        obj.voucher_no = obj.voucher_no.strip()
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.disbursement_delete(payment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for payment in queryset:
            if self.can_write(request, payment):
                services.disbursement_delete(payment=payment, by=request.user)
