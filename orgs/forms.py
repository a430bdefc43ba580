"""Forms for the organization pages: the filters of the tree and the list, and the writes.

The write forms only collect and check input; the tree's rules (levels, cycles,
active parents) live in orgs.services, whose ValidationErrors the views put back
on the form.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from . import services
from .models import MANAGING_ROLES, Category, Level, Organization, level_can_hold
from .scoping import grants
from .selectors import committees_for_user, move_targets

ALL_LEVELS = [("", _("All levels"))] + list(Level.choices)


class _FilterForm(forms.Form):
    """GET filters. An invalid value is dropped (and shown), never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All categories"),
    )
    level = forms.ChoiceField(label=_("Level"), choices=ALL_LEVELS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filters sit in one compact row, so they are rendered field by field.
        for bound in self:
            widget = bound.field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def filters(self) -> dict:
        """The valid filters; `is_valid()` keeps only those in cleaned_data."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class TreeFilterForm(_FilterForm):
    inactive = forms.BooleanField(label=_("Show deactivated"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or code")

    def is_search(self) -> bool:
        return any(self.filters().get(k) for k in ("q", "category", "level"))


YES_NO_ALL = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]
# The list shows active organizations unless asked; the export link repeats this
# value explicitly, so both agree on what "no filter" means.
ACTIVE_CHOICES = [("1", _("Active")), ("0", _("Inactive")), ("all", _("All"))]
# What the list may be sorted by: the GET value -> the order_by() fields.
SORTS = {
    "": ("path",),
    "code": ("code",),
    "-code": ("-code",),
    "name": ("name", "path"),
    "-name": ("-name", "path"),
    "members": ("member_count", "path"),
    "-members": ("-member_count", "path"),
    # Organizations with no area recorded go last either way (PostgreSQL would put them first).
    "area": (F("venue_area").asc(nulls_last=True), "path"),
    "-area": (F("venue_area").desc(nulls_last=True), "path"),
}


class OrgListFilterForm(_FilterForm):
    committee = forms.ModelChoiceField(
        label=_("Party (work) committee"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All committees"),
    )
    demonstration = forms.ChoiceField(
        label=_("Demonstration site"), choices=YES_NO_ALL, required=False
    )
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)
    sort = forms.ChoiceField(
        choices=[(k, k) for k in SORTS], required=False, widget=forms.HiddenInput
    )

    def __init__(self, data=None, *, user):
        if data is not None and "active" not in data:
            data = data.copy()
            data["active"] = "1"
        super().__init__(data, initial={"active": "1"})
        self.fields["q"].widget.attrs["placeholder"] = _("Name, code or secretary")
        self.fields["committee"].queryset = committees_for_user(user=user)

    def selector_kwargs(self) -> dict:
        """Arguments for selectors.orgs_for_user."""
        f = self.filters()
        active = f.get("active", "1")
        demonstration = f.get("demonstration")
        return {
            "q": f.get("q", ""),
            "category": f.get("category"),
            "level": f.get("level", ""),
            "committee": f.get("committee"),
            "demonstration": None if demonstration is None else demonstration == "1",
            "active": None if active == "all" else active == "1",
            "search_secretary": True,
            "order": SORTS[f.get("sort", "")],
        }


    def export_params(self) -> dict:
        """The valid filters as GET parameters for the Excel export, `active` always explicit:
        the export reads a missing `active` as "all", the list as "active only"."""
        params = {
            name: getattr(value, "pk", value)
            for name, value in self.filters().items()
            if name != "sort"
        }
        params.setdefault("active", "1")
        return params


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


MANAGER_FIELDS = [
    "code", "name", "level", "category", "secretary_name", "secretary_phone",
    "member_count", "venue_area", "founded_on", "is_demonstration",
]
# What a branch secretary keeps up to date on their own branch.
DETAIL_FIELDS = ["secretary_name", "secretary_phone", "member_count", "venue_area", "founded_on"]


class _OrgFormBase(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=100,
        help_text=_("Optional; shown in the change history."),
    )

    def changed_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def add_service_error(self, error: ValidationError):
        """Put a service's ValidationError on the form (a field's, when it names one)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            field = "level" if getattr(error, "code", None) == "level" else None
            self.add_error(field if field in self.fields else None, error)


class OrgForm(_OrgFormBase):
    """Every field, for county and committee staff."""

    class Meta:
        model = Organization
        fields = MANAGER_FIELDS
        widgets = {"founded_on": _DateInput()}

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("(none)")
        if parent is not None:
            # A new organization may only take a level its parent can hold.
            self.fields["level"].choices = [("", "---------")] + [
                (value, label) for value, label in Level.choices if level_can_hold(parent.level, value)
            ]
        if self.instance.pk is None:
            del self.fields["reason"]


class OrgDetailsForm(_OrgFormBase):
    """Contact details and figures, for the secretary of the branch."""

    class Meta:
        model = Organization
        fields = DETAIL_FIELDS
        widgets = {"founded_on": _DateInput()}


class _TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        indent = "\u3000" * max(obj.depth - self.base_depth, 0)
        return f"{indent}{obj.name}（{obj.code}）"


class OrgMoveForm(forms.Form):
    new_parent = _TargetChoiceField(
        label=_("New superior organization"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose an organization"),
        error_messages={"invalid_choice": _("Choose one of the organizations in the list.")},
    )

    def __init__(self, *args, org, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        field = self.fields["new_parent"]
        field.queryset = move_targets(user=user, org=org)
        # Indent the choices as a tree below the user's top managed organization.
        field.base_depth = min(
            (len(g.path) // Organization.steplen for g in grants(user) if g.role in MANAGING_ROLES),
            default=1,
        )

    def clean_new_parent(self):
        new_parent = self.cleaned_data["new_parent"]
        services.check_move(org=self.org, new_parent=new_parent)
        return new_parent
