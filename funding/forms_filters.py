"""The filter form the ledger, the compliance report, the payment list and their
exports share. An invalid value is dropped and shown next to the form, never an
error page, and never widens the scope: a committee outside it is not a choice.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors as sel
from .models import FundingKind

FIRST_YEAR = 2014  # the shipped policies' first year (seed 002's 三年规划 2013—2015)


def year_choices():
    this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year + 1, FIRST_YEAR - 1, -1)]


def default_year() -> int:
    return timezone.localdate().year


class MoneyFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    committee = forms.ChoiceField(label=_("Party (work) committee"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of money"), choices=[("", _("All kinds"))] + FundingKind.choices,
        required=False,
    )
    policy = forms.TypedChoiceField(label=_("Funding policy"), coerce=int, required=False)
    short = forms.ChoiceField(
        label=_("Shortfall"), required=False,
        choices=[
            ("", _("All")),
            (sel.SHORT_PAID, _("Paid below the policy minimum")),
            (sel.SHORT_PLANNED, _("Planned below the policy minimum")),
        ],
    )

    def __init__(self, data=None, *, committees, categories, policies=()):
        super().__init__(data)
        self.committees = {str(org.pk): org for org in committees}
        self.fields["year"].choices = year_choices()
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(org.pk), org.name) for org in committees
        ]
        self.fields["category"].choices = (
            [("", _("All categories"))]
            + [(str(c.pk), c.name) for c in categories]
            + [(sel.NO_CATEGORY, _("No category"))]
        )
        self.fields["policy"].choices = [("", _("All policies"))] + [
            (str(p.pk), p.name) for p in policies
        ]
        self.fields["q"].widget.attrs["placeholder"] = _("Organization name or code")
        for bound in self:
            widget = bound.field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    @property
    def has_committees(self) -> bool:
        return bool(self.committees)

    def _valid(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}

    def filters(self) -> sel.MoneyFilters:
        f = self._valid()
        return sel.MoneyFilters(
            year=f.get("year") or default_year(),
            committee=self.committees.get(f.get("committee", "")),
            category=f.get("category", ""),
            kind=f.get("kind", ""),
            policy_id=f.get("policy"),
            q=f.get("q", ""),
            short=f.get("short", ""),
        )

    def params(self, *, without=()) -> dict:
        """The valid filters as GET parameters, for export links and drill-downs."""
        return {k: str(v) for k, v in self._valid().items() if k not in without}

    def labels(self) -> dict:
        """The valid filters in the file's words (for an export's 范围 row); no query."""
        f = self.filters()
        out = {"year": f"{f.year}年"}
        if f.q:
            out["q"] = f"“{f.q}”"
        if f.committee is not None:
            out["committee"] = f.committee.name
        if f.category:
            out["category"] = "无类别" if f.category == sel.NO_CATEGORY else str(
                dict(self.fields["category"].choices)[f.category]
            )
        if f.kind:
            out["kind"] = str(FundingKind(f.kind).label)
        if f.policy_id:
            out["policy"] = str(dict(self.fields["policy"].choices).get(str(f.policy_id), ""))
        if f.short:
            out["short"] = "实拨低于标准" if f.short == sel.SHORT_PAID else "计划低于标准"
        return out
