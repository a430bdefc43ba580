"""Forms of the campaign pages: the list and assessments filters, the campaign editor,
and the phases formset.

A campaign's scope, standard set, categories and grading rule are fixed once it is
launched: its assessments were created for that scope and will be scored by that
rule, so after the launch only the name, the deadlines and the phases change (the
form shows the rest disabled, and Django ignores posted values of disabled fields).
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Category, Organization, Role
from orgs.scoping import scope_q
from standards.models import StandardSet

from . import selectors_campaigns as sel
from . import services
from .models import AssessmentStatus, Campaign, CampaignStatus, Grade, Phase

STARS = 5
# Fields that only a draft may change (see the module docstring).
DRAFT_ONLY = [
    "year", "standard_set", "organization", "categories", "include_committees",
    "advanced_min", "general_min", "veto_forces_lagging", "star_thresholds",
]
RULE_FIELDS = ["advanced_min", "general_min", "veto_forces_lagging", "star_thresholds"]


# ---------------------------------------------------------------- the grading rule


def parse_star_thresholds(text) -> list:
    """'60, 70, 80, 90, 95' -> ["60", "70", "80", "90", "95"]; empty -> [] (no stars).

    Five scores from 0 to 100, strictly ascending: the lowest score for 1 … 5 stars.
    Chinese commas and 、 are accepted, as clerks type them.
    """
    if isinstance(text, list | tuple):
        parts = [str(p) for p in text]
    else:
        cleaned = (text or "").strip()
        for sep in ("，", "、", ";", "；"):
            cleaned = cleaned.replace(sep, ",")
        parts = [p for p in cleaned.replace(",", " ").split() if p]
    if not parts:
        return []
    values = []
    for part in parts:
        try:
            value = Decimal(part)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not 0 <= value <= 100:
            raise ValidationError(
                _("“%(value)s” is not a score from 0 to 100."), params={"value": part[:20]},
                code="bad_threshold",
            )
        values.append(value)
    if len(values) != STARS:
        raise ValidationError(
            _("Give five scores, the lowest for 1, 2, 3, 4 and 5 stars."), code="not_five"
        )
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise ValidationError(
            _("The star thresholds must go up: each above the one before."), code="not_ascending"
        )
    # Stored as text like the defaults ("60", "72.5"): JSON has no decimals.
    return [format(v.normalize(), "f") for v in values]


def format_star_thresholds(values) -> str:
    return ", ".join(str(v) for v in values or [])


def check_rule(cleaned):
    """The grading rule's checks across fields: general below advanced."""
    advanced, general = cleaned.get("advanced_min"), cleaned.get("general_min")
    if advanced is not None and general is not None and general > advanced:
        raise ValidationError(
            {"general_min": _("The lowest score for general cannot be above the one for advanced.")}
        )


class StarThresholdsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Star thresholds"))
        kwargs.setdefault(
            "help_text",
            _("Lowest score for 1, 2, 3, 4 and 5 stars, ascending, e.g. 60, 70, 80, 90, 95. "
              "Empty: no stars."),
        )
        super().__init__(required=False, max_length=100, **kwargs)

    def prepare_value(self, value):
        return format_star_thresholds(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        if isinstance(value, list | tuple):  # a disabled field cleans the stored list
            return parse_star_thresholds(value)
        return parse_star_thresholds(super().to_python(value))


# ---------------------------------------------------------------- the editor


def scope_choices(user):
    """Where the user may run a campaign: county-level or committee organizations under
    their county-staff role (a superuser: any)."""
    return (
        Organization.objects.filter(is_active=True, level__in=sel.SCOPE_LEVELS)
        .filter(scope_q(user, roles={Role.COUNTY_STAFF}))
        .order_by("path")
    )


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class CampaignForm(forms.ModelForm):
    star_thresholds = StarThresholdsField()
    organization = OrgChoiceField(label=_("Scope"), queryset=Organization.objects.none(),
                                  help_text=_("The campaign covers this organization's whole subtree."))

    class Meta:
        model = Campaign
        fields = [
            "name", "year", "standard_set", "organization", "categories", "include_committees",
            "self_check_deadline", "review_deadline",
            "advanced_min", "general_min", "veto_forces_lagging", "star_thresholds",
        ]
        widgets = {
            "categories": forms.CheckboxSelectMultiple,
            "self_check_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        creating = self.instance.pk is None
        self.fields["standard_set"].queryset = (
            StandardSet.objects.visible_to(user).published().select_related("organization")
            .order_by("organization__path", "code", "-version")
        )
        self.fields["standard_set"].help_text = _("Only published sets can be used.")
        scopes = scope_choices(user)
        if not creating:
            scopes = scopes | Organization.objects.filter(pk=self.instance.organization_id)
        self.fields["organization"].queryset = scopes
        self.fields["categories"].queryset = Category.objects.filter(is_active=True)
        self.fields["year"].min_value = 2000
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        if creating:
            defaults = services.campaign_defaults()
            self.initial.setdefault("year", timezone.localdate().year)
            for name in RULE_FIELDS:
                self.initial.setdefault(name, defaults[name])
            # Empty deadlines take the defaults for the campaign's year (services).
            for name in ("self_check_deadline", "review_deadline"):
                self.fields[name].required = False
                month_day = defaults[name]
                self.fields[name].help_text = _(
                    "Empty: %(month_day)s of the campaign's year."
                ) % {"month_day": month_day}
        elif self.instance.status != CampaignStatus.DRAFT:
            for name in DRAFT_ONLY:
                self.fields[name].disabled = True
            self.fields["advanced_min"].help_text = _(
                "The scope, the standard set and the grading rule are fixed once the campaign "
                "is launched: its assessments were made for them."
            )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise ValidationError(_("Enter a year from 2000 to 2100."))
        return year

    def clean(self):
        cleaned = super().clean()
        check_rule(cleaned)
        first, last = cleaned.get("self_check_deadline"), cleaned.get("review_deadline")
        if first and last and last < first:
            self.add_error("review_deadline",
                           _("The review deadline cannot come before the self-check deadline."))
        standard_set, scope = cleaned.get("standard_set"), cleaned.get("organization")
        if standard_set and scope and not scope.path.startswith(standard_set.organization.path):
            # A county's library applies to its own subtree, not to a neighbour's.
            self.add_error("standard_set", _(
                "%(set)s is issued by %(issuer)s, whose library does not cover %(scope)s."
            ) % {"set": standard_set, "issuer": standard_set.organization.name,
                 "scope": scope.name})
        return cleaned

    def create(self, *, by):
        """The new draft through services.campaign_create (default phases and rule)."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("include_committees", "advanced_min", "general_min",
                         "veto_forces_lagging", "star_thresholds",
                         "self_check_deadline", "review_deadline")
            if data.get(name) is not None
        }
        return services.campaign_create(
            name=data["name"], year=data["year"], standard_set=data["standard_set"],
            organization=data["organization"], by=by, categories=list(data["categories"]),
            **fields,
        )


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A phase cannot end before it starts."))
        return cleaned


PhaseFormSet = inlineformset_factory(
    Campaign, Phase, form=PhaseForm, extra=1, can_delete=True, max_num=20, validate_max=True,
)


@transaction.atomic
def save_campaign(*, form, phases, by):
    """Save an edited campaign and its phases; the history records who did it.

    Phases are renumbered by their start date, so the timeline reads in order
    whatever order they were typed in.
    """
    campaign = form.save(commit=False)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.ACTIVE):
        raise ValidationError(_("A campaign can be changed only while it is a draft or active."))
    campaign._history_user = by
    campaign.save()
    form.save_m2m()
    phases.instance = campaign
    phases.save()
    ordered = list(campaign.phases.order_by("starts_on", "ends_on", "pk"))
    for number, phase in enumerate(ordered, start=1):
        phase.ordering = number
    Phase.objects.bulk_update(ordered, ["ordering"])
    return campaign


# ---------------------------------------------------------------- filters


class _FilterForm(forms.Form):
    """GET filters. An invalid value is dropped (and shown), never an error page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self:
            widget = bound.field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


# "Active" is already 在用 (an organization in use); a campaign under way is 进行中.
CAMPAIGN_STATUS_CHOICES = [
    (value, _("In progress") if value == CampaignStatus.ACTIVE else label)
    for value, label in CampaignStatus.choices
]


class CampaignListFilterForm(_FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses"))] + CAMPAIGN_STATUS_CHOICES,
        required=False,
    )

    def __init__(self, data=None, *, years):
        super().__init__(data)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["q"].widget.attrs["placeholder"] = _("Name, scope or standard set")


GRADE_CHOICES = [("", _("All grades"))] + Grade.choices + [("none", _("Not graded yet"))]
SORT_CHOICES = [
    ("", _("Organization")),
    ("-score", _("Final score, highest first")),
    ("score", _("Final score, lowest first")),
    ("-self", _("Self score, highest first")),
    ("self", _("Self score, lowest first")),
]


class AssessmentFilterForm(_FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses"))] + AssessmentStatus.choices,
        required=False,
    )
    grade = forms.ChoiceField(label=_("Grade"), choices=GRADE_CHOICES, required=False)
    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, data=None, *, committees, categories):
        super().__init__(data)
        self.committees = {str(org.pk): org for org in committees}
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(org.pk), org.name) for org in committees
        ]
        self.fields["category"].choices = (
            [("", _("All categories"))]
            + [(str(c.pk), c.name) for c in categories]
            + [(sel.NO_CATEGORY, _("No category"))]
        )
        self.fields["q"].widget.attrs["placeholder"] = _("Name, code or secretary")

    def selector_kwargs(self) -> dict:
        f = self.filters()
        return {
            "q": f.get("q", ""),
            "status": f.get("status", ""),
            "grade": f.get("grade", ""),
            "committee": self.committees.get(f.get("committee", "")),
            "category": f.get("category", ""),
            "overdue": bool(f.get("overdue")),
            "sort": f.get("sort", ""),
        }

    def export_params(self) -> dict:
        """The valid filters (not the sort or the page), for the export link."""
        return {k: ("1" if v is True else v) for k, v in self.filters().items() if k != "sort"}

