"""Forms of the compliance table, the who-met view and the import of past meetings.

The filters never fail a page: an invalid value is dropped and shown next to the
form, and a committee or meeting type outside the user's scope is simply not a
choice, so a crafted parameter cannot widen what is shown.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Rhythm

FIRST_YEAR = 2014  # MeetingRule.valid_from's default: the rules as the county keeps them
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def year_choices():
    this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]


def _style(form):
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        else:
            widget.attrs["class"] = "form-control form-control-sm"


@dataclass(frozen=True)
class ComplianceFilters:
    year: int
    committee: object = None  # an Organization at the committee level, or None
    q: str = ""
    meeting_type: object = None  # a MeetingType, or None
    only_missing: bool = False


class ComplianceFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Meeting type"), required=False)
    only_missing = forms.BooleanField(label=_("Only organizations missing meetings"), required=False)

    def __init__(self, data=None, *, committees, types):
        super().__init__(data)
        self.committees = {str(org.pk): org for org in committees}
        self.types = {str(t.pk): t for t in types}
        self.fields["year"].choices = year_choices()
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(org.pk), org.name) for org in committees
        ]
        self.fields["type"].choices = [("", _("All meeting types"))] + [
            (str(t.pk), t.name) for t in types
        ]
        self.fields["q"].widget.attrs["placeholder"] = _("Organization name or code")
        _style(self)

    @property
    def has_committees(self) -> bool:
        return bool(self.committees)

    def _valid(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}

    def filters(self) -> ComplianceFilters:
        f = self._valid()
        return ComplianceFilters(
            year=f.get("year") or timezone.localdate().year,
            committee=self.committees.get(f.get("committee", "")),
            q=f.get("q", "").strip(),
            meeting_type=self.types.get(f.get("type", "")),
            only_missing=bool(f.get("only_missing")),
        )

    def params(self, *, without=()) -> dict:
        """The valid filters as GET parameters, for the export link."""
        out = {}
        for key, value in self._valid().items():
            if key not in without:
                out[key] = "1" if value is True else str(value)
        return out

    def labels(self) -> dict:
        """The valid filters in the file's fixed words (an export's 范围 row); no query."""
        f = self.filters()
        out = {"year": f"{f.year}年"}
        if f.committee is not None:
            out["committee"] = f.committee.name
        if f.q:
            out["q"] = f"“{f.q}”"
        if f.meeting_type is not None:
            out["type"] = f.meeting_type.name
        if f.only_missing:
            out["only_missing"] = "仅缺少会议的组织"
        return out


PERIODS = (Rhythm.MONTH, Rhythm.QUARTER)


class WhoMetForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), required=False,
        choices=[(Rhythm.MONTH.value, _("By month")), (Rhythm.QUARTER.value, _("By quarter"))],
    )
    date = forms.DateField(
        label=_("Any day of the period"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    not_yet = forms.BooleanField(label=_("Only branches that have not met"), required=False)

    def __init__(self, data=None, *, committees):
        super().__init__(data)
        self.committees = {str(org.pk): org for org in committees}
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(org.pk), org.name) for org in committees
        ]
        _style(self)

    @property
    def has_committees(self) -> bool:
        return bool(self.committees)

    def values(self):
        """(rhythm, day, committee or None, only not yet): invalid values fall back."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        rhythm = data.get("period") or Rhythm.MONTH.value
        day = data.get("date") or timezone.localdate()
        if not date(FIRST_YEAR, 1, 1) <= day <= date(9998, 12, 31):
            day = timezone.localdate()
        return rhythm, day, self.committees.get(data.get("committee") or ""), bool(data.get("not_yet"))


class MeetingImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"), required=False,  # a missing file gets the importer's message
        widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}),
    )
