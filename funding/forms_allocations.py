"""Forms of one organization's money: add an allocation by hand, change one, record and
delete a payment. They shape input; whether it is allowed (the policy covers the
organization, the date is in the year, the voucher is new) is funding.services'
business, and the views show its refusals on the form.

Inputs are large (form-control-lg): staff enter payments from a phone too.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import MONEY, Basis

BIG = {"class": "form-control-lg"}
MONEY_MAX = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"]) - Decimal("0.01")

# What an allocation's basis quantity counts, by the policy's basis (pages; the Excel
# file has its own fixed Chinese words in excel_allocations.py).
QUANTITY_UNITS = {
    Basis.PER_YEAR: _("year(s)"),
    Basis.PER_MONTH: _("month(s)"),
    Basis.PER_MEMBER: _("party member(s)"),
    Basis.PER_HEAD: _("person(s)"),
    Basis.PAYROLL_SHARE: _("yuan of payroll"),
    Basis.ONE_OFF: _("payment(s)"),
}
QUANTITY_HELP = {
    Basis.PER_YEAR: _("1 for the year."),
    Basis.PER_MONTH: _("The number of months paid this year (12 for a whole year)."),
    Basis.PER_MEMBER: _("The number of party members the amount is computed for."),
    Basis.PER_HEAD: _("The number of persons covered, e.g. sub-branch members or group "
                      "leaders. Leave empty while unknown: there is no promise to check then."),
    Basis.PAYROLL_SHARE: _("The organization's annual payroll in yuan; the policy promises a "
                           "percentage of it. Leave empty while unknown."),
    Basis.ONE_OFF: _("1 for the one payment."),
}


def unit_of(basis) -> str:
    return QUANTITY_UNITS.get(basis, "")


def _money_field(label, *, min_value=Decimal(0), **kwargs):
    # No decimal_places here: services.check_payment says "at most two decimals" itself,
    # in the words the importer uses too.
    return forms.DecimalField(
        label=label, min_value=min_value, max_value=MONEY_MAX,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", **BIG}),
        **kwargs,
    )


def _quantity_field(**kwargs):
    return forms.DecimalField(
        label=_("Basis quantity"), required=False, min_value=Decimal(0), max_value=MONEY_MAX,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", **BIG}),
        **kwargs,
    )


def _note_field():
    return forms.CharField(label=_("Note"), max_length=200, required=False,
                           widget=forms.TextInput(attrs=BIG))


def add_service_errors(form, error: ValidationError):
    """A service's ValidationError on the form: on the field it names when the form has
    that field, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class PolicyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, policy):
        return f"{policy.name}（{policy.get_basis_display()}）"


class AllocationCreateForm(forms.Form):
    """经费安排 added by hand, e.g. a venue subsidy granted on application. The year is
    picked above the form (it decides which policies are offered) and travels hidden."""

    year = forms.IntegerField(widget=forms.HiddenInput)
    policy = PolicyChoiceField(
        label=_("Funding policy"), queryset=None,
        widget=forms.Select(attrs={"class": "form-select-lg"}),
        help_text=_("Policies in force this year that cover this organization and have no "
                    "allocation for it yet."),
    )
    quantity = _quantity_field(
        help_text=_("Leave empty to use what the records give (months, party members). "
                    "For a share of payroll enter the annual payroll in yuan; for a per-person "
                    "policy the number of persons."),
    )
    planned = _money_field(
        _("Planned amount (yuan)"), required=False,
        help_text=_("Leave empty to plan the policy minimum."),
    )
    note = _note_field()

    def __init__(self, *args, policies, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies
        self.fields["year"].initial = year
        self.year = year

    def clean_year(self):
        # The policies offered are those of the year shown; a tampered year is refused.
        year = self.cleaned_data["year"]
        if year != self.year:
            raise ValidationError(_("The year changed; choose the policy again."))
        return year


class AllocationEditForm(forms.Form):
    quantity = _quantity_field()
    planned = _money_field(_("Planned amount (yuan)"))
    note = _note_field()
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=100, required=False,
        widget=forms.TextInput(attrs=BIG),
        help_text=_("Required when the planned amount changes; kept in the history."),
    )

    def __init__(self, *args, allocation, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocation = allocation
        self.fields["quantity"].help_text = QUANTITY_HELP.get(allocation.policy.basis, "")
        self.fields["quantity"].label = _("Basis quantity (%(unit)s)") % {
            "unit": unit_of(allocation.policy.basis)
        }

    @staticmethod
    def initial_for(allocation) -> dict:
        return {"quantity": allocation.quantity, "planned": allocation.planned,
                "note": allocation.note}

    def clean(self):
        cleaned = super().clean()
        planned = cleaned.get("planned")
        cleaned["reason"] = (cleaned.get("reason") or "").strip()
        if planned is not None and planned != self.allocation.planned and not cleaned["reason"]:
            self.add_error("reason", _("Say why the planned amount changes."))
        return cleaned


class DisbursementForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(attrs={"type": "date", **BIG}, format="%Y-%m-%d"),
    )
    amount = _money_field(_("Amount (yuan)"), min_value=None)  # "> 0" is the service's word
    voucher_no = forms.CharField(
        label=_("Voucher number"), max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", **BIG}),
    )
    note = _note_field()

    def __init__(self, *args, allocation, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        if today.year == allocation.year:
            self.fields["paid_on"].initial = today


class DisbursementDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason for deleting"), max_length=100)
