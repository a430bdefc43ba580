"""Forms for the county staff's user pages.

The organization of an assignment is typed as its code rather than picked from a
select: a county has up to 3,000 organizations, and a select of them all would be
a page of its own. The code is looked up inside the actor's scope only, so a code
from the next county reads as unknown.
"""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .models import (
    BRANCH_LEVELS,
    COMMITTEE_LEVELS,
    Level,
    Organization,
    Role,
    User,
    phone_validator,
)
from .selectors import staff_scope_q

# Which levels a role may sit on. County staff manage users over their whole
# subtree, so that role belongs on a county committee only; helpers and viewers
# may be given any organization.
ROLE_LEVELS = {
    Role.COUNTY_STAFF: frozenset({Level.COUNTY}),
    Role.COMMITTEE_STAFF: COMMITTEE_LEVELS,
    Role.SECRETARY: BRANCH_LEVELS | {Level.GENERAL_BRANCH},
}

# Django 5.2 changed this validator message (%(min_length)d became %d) and its
# zh_Hans catalog still has only the old one, so the error showed in English.
# Naming it here puts it into our own catalog, which Django reads first.
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)


class AssignmentFieldsMixin(forms.Form):
    """An organization code and a role, checked against the actor's scope."""

    org_code = forms.CharField(
        label=_("Organization code"),
        max_length=32,
        help_text=_("The code shown on the organization's page, e.g. A1."),
    )
    # No default: a role is a decision, not something to accept by not looking.
    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Role.choices])

    def __init__(self, *args, actor, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)

    def clean_org_code(self):
        code = self.cleaned_data["org_code"].strip()
        org = (
            Organization.objects.filter(staff_scope_q(self.actor), code=code)
            .select_related("category")
            .first()
        )
        if org is None:
            raise forms.ValidationError(
                _("No organization with the code %(code)s in your scope."),
                code="unknown_org",
                params={"code": code},
            )
        if not org.is_active:
            raise forms.ValidationError(
                _("%(name)s is inactive; roles on it would have no effect."),
                code="inactive_org",
                params={"name": org.name},
            )
        self.organization = org
        return code

    def clean(self):
        cleaned = super().clean()
        org = getattr(self, "organization", None)
        role = cleaned.get("role")
        allowed = ROLE_LEVELS.get(role)
        if org is not None and allowed is not None and org.level not in allowed:
            self.add_error(
                "role",
                forms.ValidationError(
                    _("The role %(role)s cannot be given on a %(level)s."),
                    code="role_level",
                    params={"role": Role(role).label, "level": Level(org.level).label},
                ),
            )
        return cleaned


class AssignmentForm(AssignmentFieldsMixin):
    pass


class UserCreateForm(AssignmentFieldsMixin, forms.ModelForm):
    """A new account and its first role. No staff or superuser flags: those are
    given in the admin by a superuser, never from these pages."""

    password1 = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Initial password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "full_name", "username", "phone", "email", "password1", "password2", "org_code", "role",
    ]

    class Meta:
        model = User
        fields = ["full_name", "username", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["phone"].validators.append(phone_validator)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                User._meta.get_field("username").error_messages["unique"], code="unique"
            )
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two password fields didn’t match."))
        elif password1:
            candidate = User(
                username=cleaned.get("username") or "",
                full_name=cleaned.get("full_name") or "",
                email=cleaned.get("email") or "",
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "email", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["phone"].validators.append(phone_validator)
        self.fields["is_active"].help_text = _(
            "A person who leaves is deactivated, not deleted: their history stays."
        )

    def clean_is_active(self):
        active = self.cleaned_data["is_active"]
        if not active and self.instance.pk == self.actor.pk:
            raise forms.ValidationError(
                _("You cannot deactivate your own account."), code="self"
            )
        return active
