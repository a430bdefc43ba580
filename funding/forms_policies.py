"""Forms of the policy pages: the list's filters and the policy form.

The filter form drops an invalid value and shows it next to the form (never an
error page); the policy form explains each refusal in the words of the field it
is about. Saving a policy never touches the allocations already planned under
it: an allocation keeps the promise computed when it was made, so a change of
rate shows in next year's plan, or in an allocation staff recompute by hand.
"""

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import Category, Level, Organization

from .forms_filters import FIRST_YEAR, year_choices
from .models import Basis, FundingKind, FundingPolicy

ACTIVE, INACTIVE = "yes", "no"
LAST_YEAR = 2100
# The model's own messages (FundingPolicy.clean), repeated here on the right fields.
RATE_ORDER = _("The maximum rate cannot be below the minimum rate.")
YEAR_ORDER = _("The last year cannot be before the first year.")
PERCENT = _("A share of payroll is a percentage: at most 100.")


class PolicyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind of money"), choices=[("", _("All kinds"))] + FundingKind.choices,
        required=False,
    )
    basis = forms.ChoiceField(
        label=_("Basis"), choices=[("", _("All bases"))] + Basis.choices, required=False,
    )
    active = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All")), (ACTIVE, _("Active")), (INACTIVE, _("Inactive"))],
    )
    year = forms.TypedChoiceField(label=_("In force in"), coerce=int, required=False)

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["year"].choices = [("", _("Any year"))] + year_choices()
        self.fields["q"].widget.attrs["placeholder"] = _("Name, code or source document")
        for bound in self:
            widget = bound.field.widget
            widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )

    def values(self) -> dict:
        """The valid filters only: a bad value is ignored (and listed by the template)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}

    def params(self) -> dict:
        return {k: str(v) for k, v in self.values().items()}

    def labels(self) -> dict:
        """The valid filters in the spreadsheet's fixed Chinese (its 范围 row)."""
        from .display import BASIS_NAMES, KIND_NAMES

        f = self.values()
        out = {}
        if "q" in f:
            out["搜索"] = f"“{f['q']}”"
        if "kind" in f:
            out["经费类型"] = KIND_NAMES[f["kind"]]
        if "basis" in f:
            out["计算方式"] = BASIS_NAMES[f["basis"]]
        if "active" in f:
            out["状态"] = "启用" if f["active"] == ACTIVE else "停用"
        if "year" in f:
            out["执行年度"] = f"{f['year']}年"
        return out


class YearForm(forms.Form):
    """The detail page's ?year=: which year's allocations it counts."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["year"].choices = year_choices()
        self.fields["year"].widget.attrs["class"] = "form-select form-select-sm"


class PolicyForm(forms.ModelForm):
    """经费标准 as its source document states it.

    `owners`: the counties the user may issue policies for; with more than one the
    form asks which (a new policy only: the issuer of a policy never changes).
    """

    owner = forms.ModelChoiceField(
        label=_("Issued by"), queryset=Organization.objects.none(), empty_label=None,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=Category.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every category."),
    )
    levels = forms.MultipleChoiceField(
        label=_("Levels"), choices=Level.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every level."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=100,
        help_text=_("Optional; kept in the policy's history."),
    )

    class Meta:
        model = FundingPolicy
        fields = [
            "owner", "code", "name", "kind", "basis", "rate_min", "rate_max", "categories",
            "levels", "top_of_category_only", "applies_when", "valid_from", "valid_to",
            "source_document", "source_text", "is_active",
        ]
        widgets = {
            "source_text": forms.Textarea(attrs={"rows": 4}),
            "valid_from": forms.NumberInput(attrs={"min": FIRST_YEAR - 10, "max": LAST_YEAR}),
            "valid_to": forms.NumberInput(attrs={"min": FIRST_YEAR - 10, "max": LAST_YEAR}),
        }

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            del self.fields["owner"]
        else:
            del self.fields["reason"]
            owners = list(owners or [])
            self.fields["owner"].queryset = Organization.objects.filter(
                pk__in=[o.pk for o in owners]
            )
            if len(owners) == 1:
                self.fields["owner"].initial = owners[0].pk
                self.fields["owner"].widget = forms.HiddenInput()
        # Inactive categories stay on a policy that already names them.
        chosen = list(self.instance.categories.values_list("pk", flat=True)) if editing else []
        self.fields["categories"].queryset = Category.objects.filter(
            Q(is_active=True) | Q(pk__in=chosen)
        ).order_by("ordering", "pk")
        self.fields["code"].help_text = _(
            "Letters, digits and hyphens, unique within the county, e.g. village-operating."
        )
        self.fields["rate_min"].help_text = _(
            "Yuan per year, month, person, or once; for a share of payroll, a percentage "
            "such as 0.5."
        )
        self.fields["applies_when"].help_text = _(
            "On application: never planned by itself; staff add it to an organization by hand."
        )
        if editing:
            self.fields["rate_min"].help_text += " " + str(_(
                "Changing the rates does not rewrite the allocations already planned under "
                "this policy: they keep the promise computed when they were made."
            ))

    def _owner(self):
        if self.instance.pk is not None:
            return self.instance.owner
        return self.cleaned_data.get("owner")

    def clean_valid_from(self):
        return _check_year(self.cleaned_data.get("valid_from"))

    def clean_valid_to(self):
        return _check_year(self.cleaned_data.get("valid_to"))

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("rate_min"), cleaned.get("rate_max")
        if low is not None and high is not None and high < low:
            self.add_error("rate_max", RATE_ORDER)
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start is not None and end is not None and end < start:
            self.add_error("valid_to", YEAR_ORDER)
        self._over_100 = set()
        if cleaned.get("basis") == Basis.PAYROLL_SHARE:
            for name, value in (("rate_min", low), ("rate_max", high)):
                if value is not None and value > 100 and name not in self.errors:
                    self._over_100.add(name)
                    self.add_error(name, PERCENT)
        owner, code = self._owner(), cleaned.get("code")
        if owner is not None and code:
            taken = FundingPolicy.objects.filter(owner=owner, code=code)
            if self.instance.pk is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("code", _(
                    "%(county)s already has a policy with the code %(code)s."
                ) % {"county": owner.name, "code": code})
        if owner is not None:
            self.instance.owner = owner
        return cleaned

    def _post_clean(self):
        """The model's clean() repeats the checks above (and puts a payroll maximum over
        100 on the minimum): each message once, on the field it is about."""
        super()._post_clean()
        over_100 = getattr(self, "_over_100", set())
        for name, errors in list(self.errors.items()):
            kept = []
            for error in errors:
                text = str(error)
                if text in kept or (text == str(PERCENT) and name not in over_100):
                    continue
                kept.append(text)
            if kept:
                self.errors[name] = self.error_class(kept)
            else:
                del self.errors[name]

    @transaction.atomic
    def save_policy(self, *, by) -> FundingPolicy:
        """Save through simple-history: who and, when given, why (a new policy's
        categories make a second history record: simple-history records m2m
        changes separately)."""
        policy = self.save(commit=False)
        policy._history_user = by
        reason = (self.cleaned_data.get("reason") or "").strip()
        if reason:
            policy._change_reason = reason[:100]
        policy.save()
        self.save_m2m()
        return policy


def _check_year(value):
    if value is not None and not (FIRST_YEAR - 10 <= value <= LAST_YEAR):
        raise forms.ValidationError(
            _("Enter a year between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR - 10, "last": LAST_YEAR}
        )
    return value
