"""Forms of the meeting log. They collect and shape input; whether a meeting may be recorded
(the county's type, a date not in the future, present ≤ due) is meetings.services' business,
and the views show its refusals on the fields.

Inputs are large (form-control-lg): the branch secretary logs from a phone.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Meeting
from .selectors import LogFilters

BIG = {"class": "form-control-lg"}
FIRST_YEAR = 2000
# What a phone offers for photos and sign-in sheets: its camera roll first, then documents.
ACCEPT = "image/*,.pdf,.docx,.xlsx"


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


def _text(rows):
    return forms.Textarea(attrs={"rows": rows, **BIG})


class MeetingForm(forms.Form):
    """One meeting. `orgs` are the organizations the user may log for (a queryset; without
    it the form edits a meeting whose organization is fixed); `types` the meeting types
    offered."""

    organization = OrgChoiceField(label=_("Organization"), queryset=None,
                                  widget=forms.Select(attrs={"class": "form-select-lg"}))
    meeting_type = forms.ModelChoiceField(
        label=_("Type of meeting"), queryset=None, empty_label=None,
        widget=forms.Select(attrs={"class": "form-select-lg"}),
    )
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", **BIG}, format="%Y-%m-%d"),
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, widget=forms.TextInput(attrs=BIG))
    due = forms.IntegerField(
        label=_("Members due"), min_value=0, max_value=100000, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", **BIG}),
        help_text=_("Blank: the organization's number of party members."),
    )
    present = forms.IntegerField(
        label=_("Members present"), min_value=0, max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", **BIG}),
    )
    absences = forms.CharField(
        label=_("Absent, with reasons"), required=False, widget=_text(2),
        help_text=_("One per line: name and reason."),
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False,
                            widget=forms.TextInput(attrs=BIG))
    host = forms.CharField(label=_("Host"), max_length=50, required=False,
                           widget=forms.TextInput(attrs=BIG))
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=_text(6))

    def __init__(self, *args, orgs=None, types, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is None:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = orgs
        self.fields["meeting_type"].queryset = types
        self.fields["held_on"].initial = timezone.localdate

    def hide_organization(self):
        """One organization to log for: it goes in a hidden input, the page names it."""
        self.fields["organization"].widget = forms.HiddenInput()

    def meeting_fields(self, org) -> dict:
        """The cleaned values as meetings.services takes them; a blank `due` is the
        organization's member count."""
        data = {name: self.cleaned_data[name] for name in (
            "meeting_type", "held_on", "topic", "due", "present", "absences", "place", "host",
            "minutes")}
        if data["due"] is None:
            data["due"] = org.member_count
        return data

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        return {name: getattr(meeting, name) for name in (
            "meeting_type", "held_on", "topic", "due", "present", "absences", "place", "host",
            "minutes")}


class DeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this meeting deleted?"), max_length=100,
        widget=forms.TextInput(attrs=BIG),
        help_text=_("Kept in the history, e.g. logged twice or logged for the wrong branch."),
    )


class LogFilterForm(forms.Form):
    """The list's and the export's filters. An invalid value is dropped and shown next to
    the form, never an error page, and never widens the scope: a committee outside it is
    not a choice."""

    q = forms.CharField(label=_("Organization"), required=False, max_length=100)
    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    meeting_type = forms.TypedChoiceField(label=_("Type of meeting"), coerce=int, required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, data=None, *, committees, types):
        super().__init__(data)
        self.committees = {str(org.pk): org for org in committees}
        self.types = {t.pk: t for t in types}
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("All years"))] + [
            (str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(org.pk), org.name) for org in committees]
        self.fields["meeting_type"].choices = [("", _("All types"))] + [
            (str(t.pk), t.name) for t in types]
        self.fields["q"].widget.attrs["placeholder"] = _("Name or code")
        for bound in self:
            widget = bound.field.widget
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else \
                "form-control form-control-sm"
            widget.attrs["class"] = css

    @property
    def has_committees(self) -> bool:
        return bool(self.committees)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def _valid(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}

    def filters(self) -> LogFilters:
        f = self._valid()
        return LogFilters(
            committee=self.committees.get(f.get("committee", "")),
            q=f.get("q", "").strip(),
            meeting_type_id=f.get("meeting_type"),
            date_from=f.get("date_from"),
            date_to=f.get("date_to"),
            year=f.get("year"),
        )

    def params(self) -> dict:
        """The valid filters as GET parameters, for the export link."""
        return {k: v.isoformat() if hasattr(v, "isoformat") else str(v)
                for k, v in self._valid().items()}

    def labels(self) -> dict:
        """The valid filters in the file's fixed words (the export's 范围 row); no query."""
        f = self.filters()
        out = {}
        if f.committee is not None:
            out["党(工)委"] = f.committee.name
        if f.q:
            out["组织"] = f"“{f.q}”"
        if f.meeting_type_id:
            out["会议类型"] = self.types[f.meeting_type_id].name
        if f.year:
            out["年度"] = f"{f.year}年"
        if f.date_from:
            out["起"] = f.date_from.isoformat()
        if f.date_to:
            out["止"] = f.date_to.isoformat()
        return out
