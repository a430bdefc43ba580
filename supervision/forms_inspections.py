"""Forms of the 季督查 pages. They collect and shape input; what an inspection may become
is supervision.inspections' business (the views call it and show its refusals).

Inputs are large (form-control-lg): inspectors record visits from a phone on the spot.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectification.models import Severity

BIG = {"class": "form-control-lg"}


class QuarterForm(forms.Form):
    """The quarter picker of the list and the bulletin (GET): the quarters that have an
    inspection, and the one shown even if it has none."""

    quarter = forms.ChoiceField(label=_("Quarter"), required=False,
                                widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = choices


class InspectorsForm(forms.Form):
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Inspectors"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("County or committee staff and viewers of this county. "
                    "Inspectors record visits and findings."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = candidates
        self.fields["inspectors"].label_from_instance = lambda user: user.display_name


class FinishForm(forms.Form):
    notes = forms.CharField(
        label=_("Conclusion"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, **BIG}),
        help_text=_("Optional: what the inspection concluded, for the bulletin."),
    )


class VisitForm(forms.Form):
    """A visit to one sampled organization; prefixed by the sample, several on one page."""

    inspected_on = forms.DateField(
        label=_("Visited on"),
        widget=forms.DateInput(attrs={"type": "date", **BIG}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, **BIG}),
    )

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class FindingForm(forms.Form):
    description = forms.CharField(
        label=_("What was found"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, **BIG}),
        help_text=_("It is added to the problem list of the organization (source: inspection)."),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("Describe what was found."))
        return text
