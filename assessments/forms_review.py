"""Forms of the review pages: the reviewer's values, return, approve, accept, the queue's
filters and 摘牌降星.

The forms only collect input. Whether a value suits its item (a level of the
set, a number of 0 or more, a score within the item's maximum) is checked by
services.clean_value inside the service, whose per-item errors the review form
puts back on its fields.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orgs.models import Category
from orgs.selectors import committees_for_user
from standards.models import ItemKind

from .models import AssessmentStatus, Campaign

SMALL_INPUT = "form-control form-control-sm"
SMALL_SELECT = "form-select form-select-sm"


def _value_field(item, grade_levels):
    """The reviewer's input for one item, by kind (the self-check's inputs, smaller)."""
    if item.kind == ItemKind.CHECK:
        return forms.ChoiceField(
            required=False,
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))],
            widget=forms.Select(attrs={"class": SMALL_SELECT}),
        )
    if item.kind == ItemKind.GRADED:
        return forms.ChoiceField(
            required=False,
            choices=[("", "—")] + [(lv["label"], lv["label"]) for lv in grade_levels],
            widget=forms.Select(attrs={"class": SMALL_SELECT}),
        )
    attrs = {"class": SMALL_INPUT, "inputmode": "decimal", "step": "any", "min": "0"}
    if item.kind == ItemKind.TEXT:
        attrs["max"] = str(item.max_score.normalize())
        attrs["placeholder"] = _("Points earned")
    # A CharField, not a DecimalField: the service checks the value and says why in
    # the item's own terms, and a bad entry comes back as typed.
    return forms.CharField(
        required=False, max_length=50, widget=forms.NumberInput(attrs=attrs)
    )


class ReviewValuesForm(forms.Form):
    """One value and one note per item: fields value_<item id> and note_<item id>."""

    def __init__(self, data=None, *, responses, grade_levels):
        super().__init__(data)
        self.responses = responses
        for response in responses:
            item = response.item
            field = _value_field(item, grade_levels)
            field.label = item.code
            field.initial = response.reviewer_value
            self.fields[f"value_{item.pk}"] = field
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Reviewer note"), required=False, max_length=2000,
                initial=response.reviewer_note,
                widget=forms.Textarea(attrs={"class": SMALL_INPUT, "rows": 1}),
            )

    def values(self):
        """{item_id: {"value", "note"}} for services.reviewer_save."""
        data = self.cleaned_data
        return {
            r.item_id: {"value": data.get(f"value_{r.item_id}", ""),
                        "note": data.get(f"note_{r.item_id}", "")}
            for r in self.responses
        }

    def add_service_error(self, error: ValidationError):
        if hasattr(error, "error_dict"):
            for item_id, errors in error.error_dict.items():
                name = f"value_{item_id}"
                for e in errors:
                    self.add_error(name if name in self.fields else None, e.messages)
        else:
            self.add_error(None, error.messages)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Say why the self-check is returned.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the self-check is returned."))
        return reason


class CommentForm(forms.Form):
    """The optional comment of an approval or an acceptance."""

    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 1, "class": "form-control"}),
    )


QUEUE_STATUSES = [
    ("", _("All waiting")),
    (AssessmentStatus.SUBMITTED, _("To review")),
    (AssessmentStatus.REVIEWED, _("To accept")),
]


class QueueFilterForm(forms.Form):
    """GET filters of the review queue; an invalid value is dropped, never an error page."""

    q = forms.CharField(label=_("Organization"), required=False, max_length=100)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
        empty_label=_("All campaigns"),
    )
    committee = forms.ModelChoiceField(
        label=_("Party (work) committee"), queryset=None, required=False,
        empty_label=_("All committees"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False,
        empty_label=_("All categories"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=QUEUE_STATUSES, required=False)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by(
            "-year", "-created_at"
        )
        self.fields["committee"].queryset = committees_for_user(user=user)
        self.fields["q"].widget.attrs["placeholder"] = _("Name of the organization")
        for bound in self:
            widget = bound.field.widget
            widget.attrs["class"] = SMALL_SELECT if isinstance(widget, forms.Select) else SMALL_INPUT

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class StarRevokeForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("New rating"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("Reason"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the stars are taken away.")},
    )

    def __init__(self, data=None, *, current):
        super().__init__(data, initial={"stars": max(0, (current or 0) - 1)})
        self.fields["stars"].choices = [
            (n, "★" * n if n else _("No stars")) for n in range((current or 0) - 1, -1, -1)
        ]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the stars are taken away."))
        return reason
