"""Writes to user accounts, for the county staff's user pages.

Every save names who did it and why, so the user's history page can tell the
story (simple-history keeps the rows; the password itself is never stored there).
Permission checks stay with the caller (`get_user_for_staff` in views/users.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import User
from .services import assignment_add

EDITABLE_FIELDS = frozenset({"full_name", "phone", "email", "is_active"})


def _save(user: User, by, reason: str, **kwargs):
    user._history_user = by
    user._change_reason = reason
    user.save(**kwargs)


@transaction.atomic
def user_create(*, by, username, password, organization, role, **fields) -> User:
    """A new account with its first role: a user without a role could not see anything."""
    unknown = set(fields) - (EDITABLE_FIELDS - {"is_active"})
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)} here")
    user = User(username=username, **fields)
    user.set_password(password)
    user.full_clean(exclude={"password"})
    _save(user, by, _("Created"))
    assignment_add(user=user, organization=organization, role=role, by=by)
    return user


@transaction.atomic
def user_update(*, user: User, by, fields: dict) -> User:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)} here")
    if fields.get("is_active") is False and by is not None and by.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    was_active = user.is_active
    for name, value in fields.items():
        setattr(user, name, value)
    if was_active and not user.is_active:
        reason = _("Account deactivated")
    elif not was_active and user.is_active:
        reason = _("Account reactivated")
    else:
        reason = _("Edited")
    _save(user, by, reason)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, by) -> User:
    user.set_password(password)
    _save(user, by, _("Password set"))
    return user
