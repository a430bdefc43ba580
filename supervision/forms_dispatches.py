"""Forms of the dispatch page: the committee's notes, and county staff's reason for
sending one back. What a dispatch may become is supervision.services' business."""

from django import forms
from django.utils.translation import gettext_lazy as _

NOTES_MAX = 4000
# The reason is kept as the history record's change reason, which holds 100 characters.
REASON_MAX = 100


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Committee's notes (党委说明)"), max_length=NOTES_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control-lg"}),
        help_text=_("What was done this month, what fell behind and why, and what comes next. "
                    "Required before submitting."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is sent back"), max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"class": "form-control-lg"}),
    )
