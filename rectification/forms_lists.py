"""The filter form of the four lists and their exports.

One form with a `kind`: each list keeps the fields that make sense for it (the
problems have severity and source; the task list a person; the grouped lists no
status, which is what they count). An invalid value is dropped and shown next to
the form, never an error page, and never widens the scope: a committee outside it
is not among the choices.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import selectors as sel
from .models import ProblemSource, Severity, TaskStatus

PROBLEMS, TASKS, PERSONS, STATUSES = "problems", "tasks", "persons", "statuses"

SORTS = {
    PROBLEMS: [
        ("", _("Newest found first")),
        ("found_on", _("Oldest found first")),
        ("org", _("Organization")),
        ("severity", _("Most severe first")),
    ],
    TASKS: [
        ("", _("Deadline, soonest first")),
        ("-deadline", _("Deadline, latest first")),
        ("org", _("Organization")),
        ("progress", _("Progress, least first")),
        ("-progress", _("Progress, most first")),
        ("-starts", _("Newest start first")),
    ],
    PERSONS: [
        ("", _("By name")),
        ("-overdue", _("Most overdue first")),
        ("-unclosed", _("Most unfinished first")),
        ("-total", _("Most tasks first")),
    ],
    STATUSES: [],
}
# Which fields each list shows, in order.
FIELDS = {
    PROBLEMS: ["q", "committee", "category", "status", "severity", "source", "deadline_from",
               "deadline_to", "overdue", "sort"],
    TASKS: ["q", "committee", "category", "status", "deadline_from", "deadline_to", "overdue",
            "person", "sort"],
    PERSONS: ["q", "committee", "category", "deadline_from", "deadline_to", "sort"],
    STATUSES: ["q", "committee", "category", "deadline_from", "deadline_to"],
}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("All severities"))] + Severity.choices,
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources"))] + ProblemSource.choices,
        required=False,
    )
    deadline_from = forms.DateField(label=_("Deadline from"), required=False, widget=_date_input())
    deadline_to = forms.DateField(label=_("Deadline to"), required=False, widget=_date_input())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=120, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data=None, *, kind, committees, categories):
        super().__init__(data)
        self.kind = kind
        for name in list(self.fields):
            if name not in FIELDS[kind]:
                del self.fields[name]
        self.committees = {str(org.pk): org for org in committees}
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(org.pk), org.name) for org in committees
        ]
        self.fields["category"].choices = (
            [("", _("All categories"))]
            + [(str(c.pk), c.name) for c in categories]
            + [(sel.NO_CATEGORY, _("No category"))]
        )
        if "status" in self.fields:
            states = sel.ProblemState.choices if kind == PROBLEMS else TaskStatus.choices
            self.fields["status"].choices = [("", _("All statuses"))] + states
        if "sort" in self.fields:
            self.fields["sort"].choices = SORTS[kind]
        self.fields["q"].widget.attrs["placeholder"] = (
            _("Organization, description or responsible person") if kind == PROBLEMS
            else _("Organization, measure or responsible person")
        )
        for bound in self:
            widget = bound.field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control form-control-sm"

    @property
    def has_committees(self) -> bool:
        return bool(self.committees)

    def clean_person(self):
        key = self.cleaned_data.get("person") or ""
        if not key:
            return None
        try:
            return sel.Person.parse(key)
        except ValueError:
            raise ValidationError(_("Unknown responsible person."), code="bad_person") from None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("deadline_from"), cleaned.get("deadline_to")
        if start and end and end < start:
            # Dropped like any invalid filter: the list shows why.
            self.add_error("deadline_to", _("The end of the range cannot be before its start."))
        return cleaned

    def _valid(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}

    def filters(self) -> sel.ListFilters:
        f = self._valid()
        return sel.ListFilters(
            q=f.get("q", ""),
            committee=self.committees.get(f.get("committee", "")),
            category=f.get("category", ""),
            status=f.get("status", ""),
            overdue=bool(f.get("overdue")),
            deadline_from=f.get("deadline_from"),
            deadline_to=f.get("deadline_to"),
            person=f.get("person"),
            severity=f.get("severity", ""),
            source=f.get("source", ""),
        )

    @property
    def chosen_sort(self) -> str:
        return self._valid().get("sort", "")

    def params(self, *, without=()) -> dict:
        """The valid filters and sort as GET parameters (not the page): for the export
        link and for the figures that link to the task list."""
        out = {}
        for key, value in self._valid().items():
            if key in without:
                continue
            if value is True:
                value = "1"
            elif key == "person":
                value = value.key
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            out[key] = value
        return out
