"""The ledger's own inputs: its view options (sort, basis missing) and the generate action.

The shared filters live in forms_filters.MoneyFilterForm; what only the ledger
needs is a second small form rendered in the same filter bar, so the shared form
(and the payment list that uses it too) stays as it is.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import MANAGING_ROLES, Level, Organization
from orgs.scoping import grants, manageable_orgs

from .forms_filters import default_year, year_choices

# The ledger's orders: (label, order_by of allocations_for_user).
SORTS = {
    "org": (_("Organization"), ("organization__path", "policy__kind", "policy__code", "pk")),
    "shortfall": (_("Biggest shortfall first"),
                  ("-pay_gap", "organization__path", "policy__kind", "policy__code", "pk")),
    "policy": (_("Funding policy"), ("policy__kind", "policy__code", "organization__path", "pk")),
}
DEFAULT_SORT = "org"
BASIS_MISSING = "missing"
# Where a subtree's year is planned from: the county and its committees.
ROOT_LEVELS = (Level.COUNTY, Level.COMMITTEE, Level.WORK_COMMITTEE)


def _small(field):
    field.widget.attrs["class"] = "form-select form-select-sm"
    return field


class LedgerOptionsForm(forms.Form):
    """Sort and the "basis not entered" switch; an invalid value falls back quietly."""

    sort = forms.ChoiceField(
        label=_("Sort"), required=False,
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
    )
    basis = forms.ChoiceField(
        label=_("Basis"), required=False,
        choices=[("", _("All")), (BASIS_MISSING, _("Basis not entered"))],
    )

    def __init__(self, data=None):
        super().__init__(data)
        for bound in self:
            _small(bound.field)

    def _valid(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}

    @property
    def order(self):
        return SORTS[self._valid().get("sort") or DEFAULT_SORT][1]

    @property
    def basis_missing(self) -> bool:
        return self._valid().get("basis") == BASIS_MISSING

    def params(self) -> dict:
        return self._valid()


def generation_roots(user):
    """Where the user may plan a year from: the county and committee levels they manage,
    and the organizations their managing roles sit on."""
    own = [g.org_id for g in grants(user) if g.role in MANAGING_ROLES]
    return manageable_orgs(user).filter(Q(level__in=ROOT_LEVELS) | Q(pk__in=own)).order_by("path")


class RootChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.code}）"


class GenerateForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    root = RootChoiceField(
        label=_("Plan for"), queryset=Organization.objects.none(), empty_label=None,
        help_text=_("Every organization under it gets one allocation per policy that covers it."),
    )

    def __init__(self, data=None, *, user):
        super().__init__(data, initial={"year": default_year()})
        self.fields["year"].choices = year_choices()
        # A root outside the scope is not a choice: the form says so, nothing leaks.
        self.fields["root"].queryset = generation_roots(user)
