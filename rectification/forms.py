"""Forms of the problem and task pages. They collect and shape input; what a task may
become and when is rectification.services' business (the views call it and show its
refusals on the form).

Inputs are large (form-control-lg): the branch secretary reports from a phone.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from orgs.models import Organization
from orgs.scoping import scope_q
from standards.models import StandardItem

from .access import STAFF
from .models import Severity
from .selectors_work import responsible_candidates

BIG = {"class": "form-control-lg"}
# What a phone offers for a report: its camera roll first, then documents.
REPORT_ACCEPT = "image/*,.pdf,.docx,.xlsx"


def _date_widget():
    return forms.DateInput(attrs={"type": "date", **BIG}, format="%Y-%m-%d")


def _text(rows=3):
    return forms.Textarea(attrs={"rows": rows, **BIG})


class ProblemForm(forms.Form):
    """问题 entered by hand. The organization is named by its code (a county has thousands:
    no select); the item, if any, by its number in the organization's latest campaign."""

    organization = forms.CharField(
        label=_("Organization code"), max_length=32,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", **BIG}),
    )
    description = forms.CharField(label=_("Description"), max_length=2000, widget=_text(4))
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM,
        widget=forms.Select(attrs={"class": "form-select-lg"}),
    )
    item = forms.CharField(
        label=_("Standard item number"), max_length=30, required=False,
        widget=forms.TextInput(attrs=BIG),
        help_text=_("Optional: the number of the item that fell short, e.g. ZB-01, in the "
                    "standard set of the organization's latest campaign."),
    )
    found_on = forms.DateField(label=_("Found on"), widget=_date_widget())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["found_on"].initial = timezone.localdate

    def clean_organization(self):
        code = self.cleaned_data["organization"].strip()
        org = (
            Organization.objects.filter(scope_q(self.user, roles=STAFF))
            .filter(is_active=True, code=code)
            .first()
        )
        if org is None:
            raise forms.ValidationError(
                _("No active organization with this code is under your management.")
            )
        return org

    def clean_found_on(self):
        found_on = self.cleaned_data["found_on"]
        if found_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return found_on

    def clean(self):
        cleaned = super().clean()
        code, org = (cleaned.get("item") or "").strip(), cleaned.get("organization")
        cleaned["item"] = None
        if code and org is not None:
            latest = (
                Assessment.objects.filter(organization=org).select_related("campaign")
                .order_by("-campaign__year", "-campaign__created_at").first()
            )
            item = latest and StandardItem.objects.filter(
                standard_set_id=latest.campaign.standard_set_id, code=code
            ).first()
            if not item:
                self.add_error("item", _("No item with this number in the standard set of the "
                                         "organization's latest campaign."))
            cleaned["item"] = item or None
        return cleaned


class TaskForm(forms.Form):
    """整改任务: the measure, 责任人 (a user who can see the organization, or just a name),
    责任领导, and the dates. Used to add a task and to edit one."""

    measure = forms.CharField(label=_("Measure"), max_length=2000, widget=_text(3))
    responsible = forms.ModelChoiceField(
        label=_("Responsible person (user)"), queryset=None, required=False,
        widget=forms.Select(attrs={"class": "form-select-lg"}),
        help_text=_("Someone with an account sees the task and can report on it."),
    )
    responsible_name = forms.CharField(
        label=_("Responsible person (name)"), max_length=50, required=False,
        widget=forms.TextInput(attrs=BIG),
        help_text=_("Leave empty to use the chosen user's name."),
    )
    leader_name = forms.CharField(
        label=_("Responsible leader"), max_length=50, required=False,
        widget=forms.TextInput(attrs=BIG),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=_date_widget())
    deadline = forms.DateField(label=_("Deadline"), widget=_date_widget())

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = responsible_candidates(organization)
        self.fields["responsible"].label_from_instance = lambda u: u.display_name
        self.fields["starts_on"].initial = timezone.localdate

    def clean(self):
        cleaned = super().clean()
        user, name = cleaned.get("responsible"), (cleaned.get("responsible_name") or "").strip()
        if not name and user is not None:
            name = user.display_name[:50]
        if not name and "responsible_name" not in self.errors:
            self.add_error("responsible_name", _("Choose a user or write the responsible "
                                                 "person's name."))
        cleaned["responsible_name"] = name
        starts_on, deadline = cleaned.get("starts_on"), cleaned.get("deadline")
        if starts_on and deadline and deadline < starts_on:
            self.add_error("deadline", _("The deadline cannot be before the start."))
        return cleaned

    @classmethod
    def initial_for(cls, task):
        return {
            "measure": task.measure, "responsible": task.responsible_id,
            "responsible_name": task.responsible_name, "leader_name": task.leader_name,
            "starts_on": task.starts_on, "deadline": task.deadline,
        }


class ReportForm(forms.Form):
    """A progress report. The file is read from request.FILES by the view and checked by
    services.task_report (validate_upload), so a lying photo is refused in one place."""

    text = forms.CharField(label=_("What was done"), max_length=2000, widget=_text(3))
    progress = forms.IntegerField(
        label=_("Progress (%)"), min_value=0, max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5, **BIG}),
    )


class CloseForm(forms.Form):
    text = forms.CharField(
        label=_("Note for the checker"), max_length=500, required=False,
        widget=forms.TextInput(attrs=BIG),
    )


class CheckForm(forms.Form):
    """对账销号: accept, or reject with the reason (the service insists too)."""

    decision = forms.ChoiceField(
        label=_("Verdict"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept and close")), ("reject", _("Reject: back to work"))],
    )
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False, widget=_text(2))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why the closing is rejected."))
        return cleaned

    @property
    def accepted(self):
        return self.cleaned_data["decision"] == "accept"
