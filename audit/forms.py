"""The audit log's filters. An invalid value is dropped and named next to the form, never an
error page, and never widens the scope: an organization outside it is not found."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization
from orgs.scoping import scope_q

from .registry import AUDITED
from .selectors import AUDIT_ROLES, Filters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("What"), required=False)
    user = forms.CharField(label=_("Changed by (user name)"), required=False, max_length=150)
    org = forms.CharField(label=_("Organization code"), required=False, max_length=50)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.reader = user
        self.fields["model"].choices = [("", _("Everything"))] + [
            (a.label, a.verbose_name) for a in AUDITED
        ]
        for bound in self:
            widget = bound.field.widget
            widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )

    def clean_user(self):
        name = self.cleaned_data["user"].strip()
        if not name:
            return None
        found = get_user_model().objects.filter(username__iexact=name).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(_("There is no user with this name."))
        return found

    def clean_org(self):
        code = self.cleaned_data["org"].strip()
        if not code:
            return None
        # The same words for an organization outside the scope as for one that does not exist.
        path = (
            Organization.objects.filter(scope_q(self.reader, roles=AUDIT_ROLES), code=code)
            .values_list("path", flat=True).first()
        )
        if path is None:
            raise forms.ValidationError(_("There is no organization with this code in your scope."))
        return path

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> Filters:
        """What is valid of the filters (a bound form is validated here)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        zone = timezone.get_current_timezone()

        def start_of(day):
            return datetime.combine(day, time.min, tzinfo=zone) if day else None

        end = data.get("date_to")
        return Filters(
            model=data.get("model") or "",
            user_id=data.get("user"),
            org_path=data.get("org"),
            since=start_of(data.get("date_from")),
            until=start_of(end + timedelta(days=1)) if end else None,
        )

    def labels(self) -> list[str]:
        """The filters in force, for the export's 范围 line."""
        if not self.is_bound:
            return []
        self.is_valid()
        out = []
        for name in ("model", "user", "org", "date_from", "date_to"):
            if name in self.cleaned_data and self.cleaned_data[name] and name not in self.errors:
                out.append(f"{self.fields[name].label} {self.data.get(name)}")
        return out
