"""Forms of the payment pages: the import (the year and the .xlsx file) and the
voucher number search the payment list adds to the shared filter bar.

The file itself is checked by funding/importing.py (through partybuild/xlsx.py),
whose messages are shown row by row; the import form only picks the year.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_filters import default_year, year_choices
from .models import Disbursement

VOUCHER_MAX = Disbursement._meta.get_field("voucher_no").max_length
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DisbursementImportForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int,
        help_text=_("Every payment date in the file must fall in this year, and each row needs "
                    "this year's allocation for its organization and policy."),
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"), required=False,  # a missing file gets the importer's message
        widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["year"].initial = str(default_year())


class VoucherSearchForm(forms.Form):
    """The payment list's own filter, shown in the shared bar (_filter.html) after
    MoneyFilterForm's fields. Too long a value is cut, never an error page."""

    voucher = forms.CharField(label=_("Voucher number"), required=False, max_length=VOUCHER_MAX)

    def __init__(self, data=None):
        super().__init__(data)
        widget = self.fields["voucher"].widget
        widget.attrs.update({
            "class": "form-control form-control-sm",
            "placeholder": _("All or part of a voucher number"),
        })

    def searched(self) -> str:
        return (self.data.get("voucher") or "").strip()[:VOUCHER_MAX]
