"""Forms of the bindings page: which standard set to work on, and one item to bind.

Everything offered is the county staff's own: the sets their county issued (draft
or published; a retired set no longer runs a self-check) and the meeting types it
keeps. A choice from elsewhere is not among the choices, so it is refused as an
invalid choice, never saved.
"""

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from orgs.scoping import scope_q
from standards.models import ItemKind, SetStatus, StandardItem, StandardSet

from .models import ItemBinding, MeetingType

BIG = {"class": "form-select-lg"}
OPEN_STATUSES = (SetStatus.DRAFT, SetStatus.PUBLISHED)


def county_sets(user):
    """The standard sets of the counties the user is staff of, newest first."""
    return (
        StandardSet.objects.filter(scope_q(user, "organization__", roles={Role.COUNTY_STAFF}),
                                   status__in=OPEN_STATUSES)
        .select_related("organization")
        .order_by("-year", "code", "-version", "pk")
    )


def county_types(user):
    return (
        MeetingType.objects.filter(scope_q(user, "owner__", roles={Role.COUNTY_STAFF}),
                                   is_active=True)
        .select_related("owner")
        .order_by("owner__path", "ordering", "pk")
    )


def bindings_for(user):
    """The bound items of the user's county sets, with what the page shows: one query."""
    return (
        ItemBinding.objects.filter(item__standard_set__in=county_sets(user))
        .select_related("item__standard_set", "item__dimension", "meeting_type")
        .order_by("-item__standard_set__year", "item__standard_set__code",
                  "-item__standard_set__version", "item__dimension__ordering",
                  "item__ordering", "item__pk")
    )


class SetLabel(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        status = "" if obj.status == SetStatus.PUBLISHED else f" ({obj.get_status_display()})"
        return f"{obj.year} {obj.name} v{obj.version}{status}"


def item_label(item):
    return f"{item.code} {item.requirement[:40]}"


class ItemLabel(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return item_label(obj)


class SetChoiceForm(forms.Form):
    """The GET form that picks the set whose items the binding form offers."""

    set = SetLabel(label=_("Standard set"), queryset=StandardSet.objects.none(), required=False,
                   empty_label=None,
                   widget=forms.Select(attrs={**BIG, "data-autosubmit": ""}))  # static/js/app.js

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["set"]
        field.queryset = county_sets(user)
        # Read once: the select and the choice below share the rows.
        self.sets = list(field.queryset)
        field.choices = [(s.pk, field.label_from_instance(s)) for s in self.sets]

    def chosen(self):
        """The set asked for, or the newest one; None when the county has none."""
        if self.is_valid() and self.cleaned_data["set"] is not None:
            return next((s for s in self.sets if s.pk == self.cleaned_data["set"].pk),
                        self.cleaned_data["set"])
        newest = self.sets[0] if self.sets else None
        if newest is not None:
            self.fields["set"].initial = newest.pk
        return newest


class BindingForm(forms.Form):
    standard_set = forms.ModelChoiceField(queryset=StandardSet.objects.none(),
                                          widget=forms.HiddenInput)
    item = ItemLabel(label=_("Number item"), queryset=StandardItem.objects.none(),
                     widget=forms.Select(attrs=BIG))
    meeting_type = forms.ModelChoiceField(label=_("Counted from meetings of"),
                                          queryset=MeetingType.objects.none(),
                                          widget=forms.Select(attrs=BIG))

    def __init__(self, *args, user, standard_set=None, **kwargs):
        super().__init__(*args, **kwargs)
        sets = county_sets(user)
        self.fields["standard_set"].queryset = sets
        # Any item of the county's sets is a valid choice, so that a written or yes/no
        # item is refused with a reason rather than as "not one of the choices"; the
        # select offers only the set's unbound number items.
        self.fields["item"].queryset = StandardItem.objects.filter(standard_set__in=sets) \
            .select_related("standard_set__organization")
        self.fields["meeting_type"].queryset = county_types(user)
        if standard_set is not None:
            self.fields["standard_set"].initial = standard_set.pk
            self.fields["item"].choices = [("", "---------")] + [
                (item.pk, item_label(item))
                for item in StandardItem.objects.filter(
                    standard_set=standard_set, kind=ItemKind.NUMBER, meeting_binding__isnull=True,
                ).order_by("dimension__ordering", "ordering", "pk")
            ]
        self.fields["meeting_type"].label_from_instance = lambda t: t.name

    def clean(self):
        data = super().clean()
        standard_set, item, meeting_type = (data.get("standard_set"), data.get("item"),
                                            data.get("meeting_type"))
        if item is None:
            return data
        if standard_set is not None and item.standard_set_id != standard_set.pk:
            self.add_error("item", _("This item is not in the chosen standard set."))
        elif item.kind != ItemKind.NUMBER:
            self.add_error("item", _("Only a number item can be answered from the meeting log."))
        elif ItemBinding.objects.filter(item=item).exists():
            self.add_error("item", _("This item is already answered from the meeting log."))
        elif meeting_type is not None and not item.standard_set.organization.path.startswith(
                meeting_type.owner.path):
            # A set issued by one county counts the meetings of that county's types.
            self.add_error("meeting_type",
                           _("This type of meeting is not one of the standard set's county."))
        return data

    def save(self):
        """The binding, or None with a form error when another request bound the item first."""
        try:
            with transaction.atomic():
                return ItemBinding.objects.create(item=self.cleaned_data["item"],
                                                  meeting_type=self.cleaned_data["meeting_type"])
        except IntegrityError:
            self.add_error("item", _("This item is already answered from the meeting log."))
            return None
