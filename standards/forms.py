"""Forms of the standards pages: the list and search filters, and the draft editors.

The editors only collect and check input; the freeze is the models' (FrozenError),
and what a valid item is, is StandardItem.clean() — which a ModelForm runs.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orgs.models import Category

from .conditions import format_conditions, parse_conditions
from .models import Dimension, ItemKind, SetStatus, StandardItem, StandardSet

YES_NO_ALL = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


class _FilterForm(forms.Form):
    """GET filters. An invalid value is dropped (and shown), never an error page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self:
            widget = bound.field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class SetListFilterForm(_FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses"))] + SetStatus.choices, required=False
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=2100)
    issuer = forms.ModelChoiceField(
        label=_("Issued by"),
        queryset=None,
        required=False,
        empty_label=_("All issuers"),
    )

    def __init__(self, data=None, *, issuers):
        super().__init__(data)
        self.fields["issuer"].queryset = issuers
        self.fields["q"].widget.attrs["placeholder"] = _("Name or code")


class ItemSearchForm(_FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds"))] + ItemKind.choices, required=False
    )
    veto = forms.ChoiceField(label=_("Veto"), choices=YES_NO_ALL, required=False)
    category = forms.ModelChoiceField(
        label=_("Applicable category"),
        queryset=Category.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
    )
    status = forms.ChoiceField(
        label=_("Set status"),
        choices=SetStatus.choices + [("all", _("All statuses"))],
        required=False,
    )

    def __init__(self, data=None):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = SetStatus.PUBLISHED
        super().__init__(data, initial={"status": SetStatus.PUBLISHED})
        self.fields["q"].widget.attrs["placeholder"] = _("Requirement, number or guidance")

    def selector_kwargs(self) -> dict:
        f = self.filters()
        status = f.get("status", SetStatus.PUBLISHED)
        veto = f.get("veto")
        return {
            "q": f.get("q", ""),
            "kind": f.get("kind", ""),
            "veto": None if veto is None else veto == "1",
            "category": f.get("category"),
            "status": "" if status == "all" else status,
        }


# ---------------------------------------------------------------- grade levels


def format_grade_levels(levels) -> str:
    return "\n".join(f"{level['label']}={level['share']}" for level in levels or [])


def parse_grade_levels(text) -> list:
    """Lines `好=1` → [{"label": "好", "share": "1"}]; shares between 0 and 1."""
    levels, seen = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace("＝", "=")
        if not line:
            continue
        label, sep, share = (part.strip() for part in line.partition("="))
        if not sep or not label:
            raise ValidationError(
                _("Line %(line)s: write a level as 好=1 (label=share of the score)."),
                params={"line": number},
            )
        try:
            value = Decimal(share)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
            raise ValidationError(
                _("Line %(line)s: the share must be a number from 0 to 1."),
                params={"line": number},
            )
        if label in seen:
            raise ValidationError(
                _("Line %(line)s: level “%(label)s” is listed twice."),
                params={"line": number, "label": label},
            )
        seen.add(label)
        levels.append({"label": label, "share": str(value.normalize())})
    return levels


class GradeLevelsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return format_grade_levels(value) if isinstance(value, list) else value

    def clean(self, value):
        return parse_grade_levels(super().clean(value))


# ---------------------------------------------------------------- sets


class SetForm(forms.ModelForm):
    """A draft's own fields. The issuer and code are chosen once, when it is created."""

    grade_levels = GradeLevelsField(
        label=_("Grade levels"),
        required=False,
        help_text=_(
            "For graded items: one level a line, its label and its share of the score, "
            "e.g. 好=1, 较好=0.8, 一般=0.6, 差=0."
        ),
    )

    class Meta:
        model = StandardSet
        fields = ["name", "year", "source_document", "description", "grade_levels"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SetCreateForm(SetForm):
    organization = forms.ModelChoiceField(label=_("Issued by"), queryset=None)

    class Meta(SetForm.Meta):
        fields = ["organization", "code", "name", "year", "source_document", "description",
                  "grade_levels"]

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = issuers
        only = list(issuers[:2])
        if len(only) == 1:
            self.fields["organization"].initial = only[0].pk
        self.fields["code"].help_text = _(
            "Letters, digits, - and _, e.g. wuhua; the same for every version of the library."
        )

    def clean(self):
        data = super().clean()
        org, code = data.get("organization"), data.get("code")
        if org and code and StandardSet.objects.filter(organization=org, code=code).exists():
            self.add_error(
                "code",
                _("This library already exists; open it and make a new version instead."),
            )
        return data


# ---------------------------------------------------------------- dimensions


class DimensionForm(forms.ModelForm):
    class Meta:
        model = Dimension
        fields = ["name", "ordering", "weight"]

    def __init__(self, *args, standard_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard_set = standard_set

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Dimension.objects.filter(standard_set=self.standard_set, name=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("This set already has a dimension with this name."))
        return name


# ---------------------------------------------------------------- items


class ItemForm(forms.ModelForm):
    """Every field of an item. Conditions are written as text (党员人数>=10；示范点=是)."""

    conditions_text = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=500,
        help_text=_(
            "Only where these facts hold, e.g. 党员人数>=10；示范点=是. Fields: 党员人数, "
            "阵地面积, 层级, 示范点. Empty means always."
        ),
    )

    class Meta:
        model = StandardItem
        fields = [
            "dimension", "code", "requirement", "guidance", "kind", "comparator", "threshold",
            "unit", "proportional", "max_score", "is_veto", "evidence_required", "ordering",
            "categories", "source",
        ]
        widgets = {
            "requirement": forms.Textarea(attrs={"rows": 3}),
            "guidance": forms.Textarea(attrs={"rows": 2}),
            "categories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, standard_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard_set = standard_set
        self.instance.standard_set = standard_set
        self.fields["dimension"].queryset = standard_set.dimensions.all()
        self.fields["dimension"].empty_label = None
        self.fields["categories"].queryset = Category.objects.filter(is_active=True)
        self.fields["categories"].required = False
        self.fields["ordering"].required = False
        if self.instance.pk is None and "ordering" not in self.initial:
            self.initial["ordering"] = self._next_ordering()  # a new item goes last
        self.fields["conditions_text"].initial = format_conditions(self.instance.conditions)
        self.fields["comparator"].help_text = _("Number items only.")

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = StandardItem.objects.filter(standard_set=self.standard_set, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("This set already has an item with this number."))
        return code

    def clean_conditions_text(self):
        return parse_conditions(self.cleaned_data["conditions_text"])

    def clean(self):
        data = super().clean()
        # What only a number item has is cleared for the others, as set_fill does,
        # so a kind change leaves no stale threshold behind.
        if data.get("kind") and data["kind"] != ItemKind.NUMBER:
            data["comparator"], data["threshold"], data["proportional"] = "", None, False
        return data

    def _post_clean(self):
        if "conditions_text" in self.cleaned_data:
            self.instance.conditions = self.cleaned_data["conditions_text"]
        if self.cleaned_data.get("ordering") is None:
            self.cleaned_data["ordering"] = self._next_ordering()
        super()._post_clean()

    def _next_ordering(self):
        if self.instance.pk:
            return self.instance.ordering
        last = (
            StandardItem.objects.filter(standard_set=self.standard_set)
            .order_by("-ordering")
            .values_list("ordering", flat=True)
            .first()
        )
        return (last or 0) + 1
