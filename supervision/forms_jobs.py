"""Forms of the job status page ("run now") and of the notification list (its filter).

The notification filter drops an invalid value and says so beside the form, like the
rectification lists: a hand-edited address never gives an error page.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import NotificationKind

EARLIEST = date(2000, 1, 1)


class RunNowForm(forms.Form):
    """The day a job runs for: today by default; a past day makes up what a missed day
    would have made (the jobs only add what is missing). A day still to come is refused:
    reminders dated tomorrow would be sent today."""

    run_for = forms.DateField(
        label=_("Run for"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"},
                               format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run_for"].initial = timezone.localdate

    def clean_run_for(self):
        day = self.cleaned_data["run_for"]
        if day > timezone.localdate():
            raise ValidationError(_("A job cannot run for a day still to come."))
        if day < EARLIEST:
            raise ValidationError(_("Choose a day from %(year)s on.") % {"year": EARLIEST.year})
        return day


ALL, UNREAD = "all", "unread"


class NotificationFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"), required=False,
        choices=[(ALL, _("All")), (UNREAD, _("Unread only"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False,
        choices=[("", _("All kinds"))] + NotificationKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def filters(self) -> dict:
        """The valid filters; an invalid one is left out (its error shows on the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"unread_only": data.get("show") == UNREAD, "kind": data.get("kind") or ""}
