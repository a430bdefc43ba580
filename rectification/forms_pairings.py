"""Forms of the 3+1 pairing pages, and the few small writes they make.

三定一帮 (定目标、定人员、定措施、帮转化) is four boxes on the form and one text in the
pairing's `measures`, each part under its heading (【定目标】…): the headings are the
seed's own words, stored as data like the spreadsheet's vocabulary, so a pairing reads
the same whatever language the person who wrote it used, and the form splits them back.

Creating a pairing goes through services.pairing_create (it gives the helpers their
role). Editing a pairing, adding a milestone and marking one done are plain saves that
the core services do not cover; they are here, next to the forms that validate them,
with the history user set (as assessments/forms_campaigns.save_campaign does).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Grade

from . import selectors_pairings as sel
from . import services
from .models import Milestone, Pairing, PairingStatus

DATE_WIDGET = {"type": "date"}
MEASURE_PARTS = [
    ("goal", "定目标", _("Target (定目标)"),
     _("What the branch must reach, e.g. a full committee, regular 三会一课, a venue that meets the standard.")),
    ("people", "定人员", _("People (定人员)"),
     _("What each of the three helpers takes on.")),
    ("steps", "定措施", _("Measures (定措施)"),
     _("The concrete measures, one a line.")),
    ("conversion", "帮转化", _("Help to convert (帮转化)"),
     _("How the branch is brought to a better grade by the target date.")),
]
_HEADING = re.compile(r"【(%s)】" % "|".join(head for _k, head, _l, _h in MEASURE_PARTS))


def compose_measures(parts: dict) -> str:
    """{'goal': …, 'steps': …} -> '【定目标】…\\n【定措施】…' (empty parts left out)."""
    lines = []
    for key, head, _label, _help in MEASURE_PARTS:
        text = (parts.get(key) or "").strip()
        if text:
            lines.append(f"【{head}】{text}")
    return "\n".join(lines)


def split_measures(text: str) -> dict:
    """The inverse of compose_measures; a text without headings is all 定措施."""
    text = text or ""
    keys = {head: key for key, head, _label, _help in MEASURE_PARTS}
    pieces = _HEADING.split(text)
    out = {key: "" for key, _head, _l, _h in MEASURE_PARTS}
    if len(pieces) == 1:
        out["steps"] = text.strip()
        return out
    if pieces[0].strip():
        out["steps"] = pieces[0].strip()
    for head, body in zip(pieces[1::2], pieces[2::2], strict=True):
        key = keys[head]
        out[key] = "\n".join(filter(None, [out[key], body.strip()]))
    return out


def measure_sections(text: str) -> list:
    """[(label, text)] of the non-empty parts, for the detail page."""
    parts = split_measures(text)
    return [(label, parts[key]) for key, _head, label, _help in MEASURE_PARTS if parts[key]]


class _MeasuresMixin:
    """The four 三定一帮 boxes; 定目标 and 定措施 are required."""

    def add_measure_fields(self, initial_text=None):
        parts = split_measures(initial_text) if initial_text is not None else {}
        for key, _head, label, help_text in MEASURE_PARTS:
            self.fields[key] = forms.CharField(
                label=label, help_text=help_text, required=key in ("goal", "steps"),
                max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
            )
            if key in parts:
                self.initial.setdefault(key, parts[key])

    def measures_text(self):
        return compose_measures(self.cleaned_data)


class OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.name}（{obj.code}）"
        if getattr(obj, "paired", False):
            label += " · " + str(_("already paired"))
        return label


class UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.username}）" if obj.full_name else obj.username


HELPER_FIELDS = ("county_leader", "committee_secretary", "cadre")
TARGET_GRADES = [(Grade.GENERAL, Grade.GENERAL.label), (Grade.ADVANCED, Grade.ADVANCED.label)]


class PairingCreateForm(_MeasuresMixin, forms.Form):
    organization = OrgField(
        label=_("Lagging organization"), queryset=None,
        help_text=_("Organizations whose latest accepted assessment graded them lagging."),
    )
    county_leader = UserField(label=_("County leader"), queryset=None)
    committee_secretary = UserField(label=_("Party (work) committee secretary"), queryset=None)
    cadre = UserField(label=_("Organization department cadre"), queryset=None)
    target_grade = forms.ChoiceField(label=_("Target grade"), choices=TARGET_GRADES,
                                     initial=Grade.GENERAL)
    target_date = forms.DateField(label=_("Target date"),
                                  widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))

    def __init__(self, data=None, *, user, organization=None):
        super().__init__(data)
        orgs = sel.lagging_orgs(user=user)
        if organization is not None:
            orgs = orgs.filter(pk=organization.pk)
            self.initial["organization"] = organization.pk
        self.fields["organization"].queryset = orgs
        helpers = sel.helper_candidates(county_paths=(
            [organization.path[: sel.STEP]] if organization is not None
            else sel.county_paths_of(user)
        ))
        for name in HELPER_FIELDS:
            self.fields[name].queryset = helpers
        self.fields["county_leader"].help_text = _(
            "The three helpers are people with a role in the county; each is given the helper "
            "role on the organization and sees it, and nothing else through it."
        )
        self.add_measure_fields()

    def clean_organization(self):
        org = self.cleaned_data["organization"]
        if org.paired:
            raise ValidationError(_("This organization already has an active pairing."))
        return org

    def clean_target_date(self):
        target = self.cleaned_data["target_date"]
        if target <= timezone.localdate():
            raise ValidationError(_("The target date must be in the future."))
        return target

    def clean(self):
        cleaned = super().clean()
        people = [cleaned.get(name) for name in HELPER_FIELDS]
        if all(people):
            if len({p.pk for p in people}) < 3:
                raise ValidationError(_("The three helpers must be three different people."))
            org = cleaned.get("organization")
            if org is not None:
                # The choices span the user's counties; the helpers must be of this one's.
                inside = sel.has_role_in_county(people, org)
                for name, person in zip(HELPER_FIELDS, people, strict=True):
                    if person.pk not in inside:
                        self.add_error(name, _("%(name)s holds no role in this county.")
                                       % {"name": person.display_name})
        return cleaned

    def save(self, *, by, milestones):
        """services.pairing_create with the latest accepted (lagging) assessment as baseline."""
        c = self.cleaned_data
        org = c["organization"]
        baseline = Assessment.objects.get(pk=org.baseline_id) if org.baseline_id else None
        return services.pairing_create(
            organization=org, county_leader=c["county_leader"],
            committee_secretary=c["committee_secretary"], cadre=c["cadre"],
            target_grade=c["target_grade"], target_date=c["target_date"],
            measures=self.measures_text(), by=by, baseline=baseline, milestones=milestones,
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"),
                             widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))

    def __init__(self, *args, target_date=None, optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_date = target_date
        if optional:
            # A row of the create form's timeline: empty is fine, half-filled is not.
            for field in self.fields.values():
                field.required = False

    def clean(self):
        cleaned = super().clean()
        title, due = cleaned.get("title"), cleaned.get("due_on")
        if bool(title) != bool(due) and not self.errors:
            self.add_error("title" if due else "due_on",
                           _("A milestone needs a title and a due date."))
        if due and self.target_date and due > self.target_date:
            self.add_error("due_on", _("A milestone cannot be due after the target date (%(date)s).")
                           % {"date": self.target_date.isoformat()})
        return cleaned


MilestoneFormSet = formset_factory(MilestoneForm, extra=4, max_num=12, validate_max=True)


def milestone_rows(formset):
    """[(title, due_on)] of the filled rows of the create form's timeline."""
    return [
        (f.cleaned_data["title"], f.cleaned_data["due_on"])
        for f in formset.forms
        if f.has_changed() and f.cleaned_data.get("title")
    ]


def check_milestones_against(formset, target_date):
    """The timeline's rows may not be due after the target date (known only once the
    pairing form is clean). Returns whether they are all fine."""
    ok = True
    for f in formset.forms:
        due = f.cleaned_data.get("due_on") if f.has_changed() else None
        if due and target_date and due > target_date:
            f.add_error("due_on", _("A milestone cannot be due after the target date (%(date)s).")
                        % {"date": target_date.isoformat()})
            ok = False
    return ok


STATUS_EDIT_CHOICES = [(PairingStatus.ACTIVE, _("Active pairing")),
                       (PairingStatus.ENDED, _("Ended"))]


class PairingEditForm(_MeasuresMixin, forms.Form):
    target_date = forms.DateField(label=_("Target date"),
                                  widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_EDIT_CHOICES,
        help_text=_("End a pairing that stops without an upgrade. An upgraded pairing stays upgraded."),
    )

    def __init__(self, data=None, *, pairing):
        super().__init__(data, initial={"target_date": pairing.target_date,
                                        "status": pairing.status})
        self.pairing = pairing
        if pairing.status == PairingStatus.UPGRADED:
            del self.fields["status"]
        self.add_measure_fields(pairing.measures)

    def clean_target_date(self):
        target = self.cleaned_data["target_date"]
        start = timezone.localdate(self.pairing.created_at)
        if target <= start:
            raise ValidationError(_("The target date must be after the pairing began (%(date)s).")
                                  % {"date": start.isoformat()})
        return target

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == PairingStatus.ACTIVE and self.pairing.status != PairingStatus.ACTIVE:
            others = Pairing.objects.filter(organization_id=self.pairing.organization_id,
                                            status=PairingStatus.ACTIVE).exclude(pk=self.pairing.pk)
            if others.exists():
                raise ValidationError(_("This organization already has an active pairing."))
        return status

    @transaction.atomic
    def save(self, *, by):
        pairing = Pairing.objects.select_for_update().get(pk=self.pairing.pk)
        pairing.target_date = self.cleaned_data["target_date"]
        pairing.measures = self.measures_text()
        if "status" in self.fields and pairing.status != PairingStatus.UPGRADED:
            pairing.status = self.cleaned_data["status"]
        pairing._history_user = by
        pairing.full_clean()
        pairing.save()
        return pairing


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date"),
                                 widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    found = forms.CharField(label=_("What was found"), max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    solved = forms.CharField(label=_("What was solved"), max_length=4000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, pairing):
        super().__init__(data, initial={"visited_on": timezone.localdate()})
        self.pairing = pairing

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A visit cannot be in the future."))
        start = timezone.localdate(self.pairing.created_at)
        if day < start:
            raise ValidationError(_("A visit cannot be before the pairing began (%(date)s).")
                                  % {"date": start.isoformat()})
        return day

    def save(self, *, by):
        c = self.cleaned_data
        return services.visit_log(pairing=self.pairing, by=by, visited_on=c["visited_on"],
                                  found=c["found"], solved=c["solved"])


def milestone_add(*, pairing, title, due_on):
    milestone = Milestone(pairing=pairing, title=title, due_on=due_on)
    milestone.full_clean()
    milestone.save()
    return milestone


def milestone_mark_done(*, milestone, today=None) -> bool:
    """Claimed with a conditional update: a second click (or a second person) changes
    nothing. Returns whether this call marked it."""
    today = today or timezone.localdate()
    return bool(Milestone.objects.filter(pk=milestone.pk, done_on=None).update(done_on=today))


# ---------------------------------------------------------------- the list's filters

STATUS_FILTER_CHOICES = [
    ("", _("All statuses")),
    (PairingStatus.ACTIVE, _("Active pairing")),
    (PairingStatus.UPGRADED, _("Upgraded")),
    (PairingStatus.ENDED, _("Ended")),
]


class PairingFilterForm(forms.Form):
    """GET filters. An invalid value is dropped (and shown), never an error page."""

    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    helper = forms.TypedChoiceField(label=_("Helper"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, data=None, *, committees, helpers):
        super().__init__(data)
        self.committees = {row.key: row.name for row in committees if row.key}
        self.fields["committee"].choices = [("", _("All committees"))] + list(
            self.committees.items())
        self.helpers = {str(u.pk): u.display_name for u in helpers}
        self.fields["helper"].choices = [("", _("Everyone"))] + list(self.helpers.items())
        for bound in self:
            bound.field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
