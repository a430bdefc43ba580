"""Forms of the spot-check pages (随机抽查): draw a sample, name an inspector, record a
finding, close a sample. They only collect input; what a valid value is for an item
of each kind is services.clean_value's business, called by finding_record."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization, Role

SEED_MAX = 2**63 - 1  # the stored seed is a BigIntegerField
# Who can be named inspector from the page: the people who inspect (county and
# committee staff, the 督查组 viewers). A county has thousands of secretaries; a
# select of them per sample would weigh megabytes. The admin can name anyone.
INSPECTOR_ROLES = (Role.COUNTY_STAFF, Role.COMMITTEE_STAFF, Role.VIEWER)


class SpotCheckForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    share = forms.DecimalField(
        label=_("Share sampled (%)"), min_value=0.01, max_value=100, max_digits=5,
        decimal_places=2, initial=10,
        help_text=_("Rounded to whole organizations; at least one is drawn."),
    )
    weight_lagging = forms.IntegerField(
        label=_("Weight of lagging organizations"), min_value=1, max_value=100, initial=1,
        help_text=_("1 draws every organization alike; 5 makes a lagging one five times as likely."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"), min_value=0, max_value=SEED_MAX, required=False,
        help_text=_("Optional. Leave empty for a new one; the same seed draws the same sample again."),
    )


def inspector_candidates(campaign):
    """Active users holding an inspecting role in the campaign's scope or above it."""
    root = campaign.organization
    above = [root.path[:i] for i in range(Organization.steplen, len(root.path), Organization.steplen)]
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(
            Q(assignments__organization__path__startswith=root.path)
            | Q(assignments__organization__path__in=above),
            assignments__role__in=INSPECTOR_ROLES,
            assignments__organization__is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


class AssignForm(forms.Form):
    sample = forms.IntegerField(widget=forms.HiddenInput)
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), queryset=get_user_model().objects.none(), required=False,
        empty_label=_("(nobody yet)"),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspector_candidates(campaign)


class FindingForm(forms.Form):
    """One finding on one item. `found_value` is checked against the item's kind later."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    found_value = forms.CharField(label=_("Value found"), max_length=50, required=False)
    note = forms.CharField(label=_("What was found"), max_length=2000, widget=forms.Textarea)
    revoke_stars = forms.BooleanField(label=_("Take a star away (摘牌降星)"), required=False)
    revoke_reason = forms.CharField(label=_("Reason for taking the star away"), max_length=500,
                                    required=False)

    def clean(self):
        data = super().clean()
        if data.get("revoke_stars") and not (data.get("revoke_reason") or "").strip():
            self.add_error("revoke_reason", _("Say why the star is taken away."))
        return data


class SampleDoneForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), max_length=2000, widget=forms.Textarea)
