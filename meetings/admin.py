"""Admin for the meeting log, for clerks entering data in bulk.

Scoped like the pages and like rectification/admin.py and funding/admin.py: a county's
meeting types and rules are read down the tree (`lineage_q` on the owner: a branch
secretary reads its county's rules) and written by county staff over the owner; meetings
are seen within the scope (`scope_q` on the organization) and written by whoever may log
for the organization (meetings.access.can_log: its secretary, committee and county staff
over it). A foreign key offers only what the user may write to. A meeting is recorded
and changed through meetings.services (meeting_record / meeting_update), whose checks
show on the form; a removed meeting keeps its history and its files go with it
(services.meeting_delete). Attachments are read-only here and link to the scope-checked
download: the admin never serves a file itself.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments.admin import ReadOnlyInline
from orgs.admin import ScopedHistoryMixin
from orgs.models import Level, Organization, Role
from orgs.scoping import grants, has_role, is_unrestricted, lineage_q, path_in_scope, scope_q
from orgs.selectors.committees import COMMITTEE_PREFIX, committee_choices
from standards.models import ItemKind, StandardItem

from . import services
from .access import WRITERS, can_log
from .models import ItemBinding, Meeting, MeetingAttachment, MeetingRule, MeetingType, Rhythm

COUNTY_STAFF = {Role.COUNTY_STAFF}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _staff_with_roles(request):
    return request.user.is_active and request.user.is_staff and (
        is_unrestricted(request.user) or bool(grants(request.user))
    )


def _county_data_owners(user):
    """Where the user keeps a county's meeting data: the organizations they are county
    staff on (a superuser: every active county)."""
    if is_unrestricted(user):
        return Organization.objects.filter(level=Level.COUNTY, is_active=True).order_by("path")
    return Organization.objects.filter(
        pk__in=[g.org_id for g in grants(user) if g.role == Role.COUNTY_STAFF]
    ).order_by("path")


def _types_written_by(user):
    """The meeting types a rule of the user's may name: their county's, or issued above it."""
    return MeetingType.objects.filter(lineage_q(user, "owner__", roles=COUNTY_STAFF)) \
        .select_related("owner")


class ScopedMixin:
    """Rows seen through `scope(request)`, written where `can_write` says; the role a
    user holds decides, not Django's per-model permission table."""

    writer_roles = WRITERS
    list_per_page = 50

    def scope(self, request):
        return scope_q(request.user, "organization__")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(self.scope(request))

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return _staff_with_roles(request) and has_role(request.user, *self.writer_roles)

    def can_write(self, request, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return _staff_with_roles(request) and self.can_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin(ScopedMixin, ScopedHistoryMixin, SimpleHistoryAdmin):
    pass


# ---------------------------------------------------------------- a county's types and rules


class CountyData:
    """A county's vocabulary: read by everyone under it, written by its county staff;
    the issuer of a row never changes."""

    writer_roles = COUNTY_STAFF

    def scope(self, request):
        return lineage_q(request.user, "owner__")

    def can_write(self, request, obj):
        return path_in_scope(request.user, obj.owner.path, COUNTY_STAFF)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "owner"] if obj is not None else list(self.readonly_fields)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = _county_data_owners(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user  # the rules keep a history; types do not
        super().save_model(request, obj, form, change)


class OwnerCodeForm(forms.ModelForm):
    def clean(self):
        # The code is unique per county; on a change the owner is read-only, so
        # Django's own constraint check would skip it.
        cleaned = super().clean()
        owner = cleaned.get("owner") or (self.instance.owner if self.instance.owner_id else None)
        code = cleaned.get("code")
        if owner is not None and code and MeetingType.objects.filter(owner=owner, code=code).exclude(
                pk=self.instance.pk).exists():
            self.add_error("code", _("%(county)s already has a meeting type with the code %(code)s.")
                           % {"county": owner.name, "code": code})
        return cleaned

    def validate_unique(self):
        if "code" in self.errors:
            return
        super().validate_unique()


@admin.register(MeetingType)
class MeetingTypeAdmin(CountyData, ScopedMixin, admin.ModelAdmin):
    form = OwnerCodeForm
    list_display = ["name", "code", "owner", "ordering", "is_active"]
    list_filter = ["is_active", ("owner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "owner__name"]
    list_select_related = ["owner"]
    fields = ["owner", "code", "name", "ordering", "is_active"]


class RuleAdminForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("Levels"), choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every level."),
    )

    class Meta:
        model = MeetingRule
        fields = ["owner", "meeting_type", "rhythm", "minimum", "levels", "valid_from", "valid_to",
                  "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("valid_from", "valid_to"):
            if name in self.fields:
                self.fields[name].widget.attrs.update(min=FIRST_YEAR, max=LAST_YEAR)

    def clean(self):
        cleaned = super().clean()
        owner = cleaned.get("owner") or (self.instance.owner if self.instance.owner_id else None)
        meeting_type = cleaned.get("meeting_type")
        if owner is not None and meeting_type is not None:
            if not owner.path.startswith(meeting_type.owner.path):
                self.add_error("meeting_type", _("Choose a meeting type of this county."))
            elif cleaned.get("rhythm") and MeetingRule.objects.filter(
                owner=owner, meeting_type=meeting_type, rhythm=cleaned["rhythm"]
            ).exclude(pk=self.instance.pk).exists():
                self.add_error("rhythm", _("This county already has a rule for this type and rhythm."))
        for name in ("valid_from", "valid_to"):
            year = cleaned.get(name)
            if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
                self.add_error(name, _("Enter a year between %(first)d and %(last)d.")
                               % {"first": FIRST_YEAR, "last": LAST_YEAR})
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The last year cannot be before the first."))
        return cleaned

    def validate_unique(self):
        if "rhythm" in self.errors:
            return
        super().validate_unique()


@admin.register(MeetingRule)
class MeetingRuleAdmin(CountyData, ScopedAdmin):
    form = RuleAdminForm
    list_display = ["meeting_type", "owner", "rhythm", "minimum", "valid_from", "valid_to",
                    "is_active"]
    list_filter = ["rhythm", "is_active", "meeting_type__code", ("owner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["meeting_type__name", "meeting_type__code", "owner__name"]
    list_select_related = ["owner", "meeting_type"]

    def get_readonly_fields(self, request, obj=None):
        # The issuer and the type of a rule never change: another type is another rule.
        return ["owner", "meeting_type"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "meeting_type":
            kwargs["queryset"] = _types_written_by(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# ---------------------------------------------------------------- meetings


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by().dates("held_on", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
            return queryset.filter(held_on__year=int(value))
        return queryset


class CommitteeFilter(admin.SimpleListFilter):
    """The committee (党委) an organization belongs to, from the user's scope."""

    title = _("committee")
    parameter_name = "committee"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.name) for c in committee_choices(request.user)]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if not value.isdigit():
            return queryset
        path = (
            Organization.objects.filter(pk=int(value)).filter(scope_q(request.user))
            .values_list("path", flat=True).first()
        )
        if path is None or len(path) != COMMITTEE_PREFIX:
            return queryset.none()
        return queryset.filter(organization__path__startswith=path)


class RhythmFilter(admin.SimpleListFilter):
    """Meetings of a type the county's rules ask for every month / quarter / year."""

    title = _("rhythm")
    parameter_name = "rhythm"

    def lookups(self, request, model_admin):
        return Rhythm.choices

    def queryset(self, request, queryset):
        if self.value() in Rhythm.values:
            return queryset.filter(meeting_type__in=MeetingRule.objects.filter(
                rhythm=self.value(), is_active=True).values("meeting_type"))
        return queryset


class AttachmentInline(ReadOnlyInline):
    model = MeetingAttachment
    fields = ["file_link", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_link(self, obj):
        url = reverse("meetings:attachment_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["organization", "meeting_type", "held_on", "topic", "place", "host", "due",
                  "present", "absences", "minutes"]

    def clean(self):
        # meetings.services' checks, each on its field, instead of a 500 on save.
        cleaned = super().clean()
        org = cleaned.get("organization") or (
            self.instance.organization if self.instance.organization_id else None)
        meeting_type = cleaned.get("meeting_type")
        if org is None or meeting_type is None:
            return cleaned
        errors = services._check(org, meeting_type, cleaned.get("held_on"), cleaned.get("due"),
                                 cleaned.get("present"))
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    form = MeetingAdminForm
    list_display = ["held_on", "meeting_type", "organization", "topic", "attendance", "host",
                    "files", "recorded_by"]
    list_filter = [("meeting_type", admin.RelatedOnlyFieldListFilter), YearFilter, "held_on",
                   CommitteeFilter, RhythmFilter]
    search_fields = ["topic", "place", "host", "minutes", "organization__name", "organization__code"]
    list_select_related = ["organization", "meeting_type", "recorded_by"]
    date_hierarchy = "held_on"
    inlines = [AttachmentInline]
    RECORD = ["organization", "recorded_by", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(files_n=Count("attachments"))

    def get_fields(self, request, obj=None):
        fields = list(MeetingAdminForm.Meta.fields)
        if obj is None:
            return fields
        return [*self.RECORD, *(f for f in fields if f != "organization")]

    def get_readonly_fields(self, request, obj=None):
        # A meeting stays with its organization; the log is per organization.
        return [] if obj is None else self.RECORD

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def can_write(self, request, obj):
        return can_log(request.user, obj.organization)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return _staff_with_roles(request) and self.can_write(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.filter(is_active=True).filter(
                scope_q(request.user, roles=WRITERS)).order_by("path")
        elif db_field.name == "meeting_type":
            kwargs["queryset"] = MeetingType.objects.filter(is_active=True).filter(
                lineage_q(request.user, "owner__")).select_related("owner")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("present / due"))
    def attendance(self, obj):
        return f"{obj.present}/{obj.due}"

    @admin.display(description=_("files"), ordering="files_n")
    def files(self, obj):
        return obj.files_n

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in MeetingAdminForm.Meta.fields
                if name in form.cleaned_data and name != "organization"}
        if not change:
            created = services.meeting_record(organization=form.cleaned_data["organization"],
                                              by=request.user, **data)
            obj.__dict__.update(created.__dict__)
            return
        updated = services.meeting_update(meeting=obj, by=request.user, **data)
        obj.__dict__.update(updated.__dict__)

    def delete_model(self, request, obj):
        services.meeting_delete(meeting=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for meeting in queryset.select_related("organization"):
            if self.can_write(request, meeting):
                services.meeting_delete(meeting=meeting, by=request.user)


# ---------------------------------------------------------------- items answered from the log


class BindingAdminForm(forms.ModelForm):
    class Meta:
        model = ItemBinding
        fields = ["item", "meeting_type"]

    def clean(self):
        cleaned = super().clean()
        item, meeting_type = cleaned.get("item"), cleaned.get("meeting_type")
        if item is not None and item.kind != ItemKind.NUMBER:
            self.add_error("item", _("Only a number item can be answered from the meeting log."))
        if item is not None and meeting_type is not None:
            set_owner = item.standard_set.organization.path
            type_owner = meeting_type.owner.path
            if not (set_owner.startswith(type_owner) or type_owner.startswith(set_owner)):
                self.add_error("meeting_type", _("Choose a meeting type of the standard set's county."))
        return cleaned


@admin.register(ItemBinding)
class ItemBindingAdmin(admin.ModelAdmin):
    """Which number item a county's log answers: kept by its county staff."""

    form = BindingAdminForm
    list_display = ["item_code", "item_requirement", "standard_set", "meeting_type"]
    list_filter = [("meeting_type", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["item__code", "item__requirement", "meeting_type__name",
                     "item__standard_set__name"]
    list_select_related = ["item__standard_set", "meeting_type__owner"]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).filter(lineage_q(request.user, "meeting_type__owner__"))

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return _staff_with_roles(request) and has_role(request.user, Role.COUNTY_STAFF)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return _staff_with_roles(request) and path_in_scope(
            request.user, obj.meeting_type.owner.path, COUNTY_STAFF)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["item"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        owners = _county_data_owners(request.user)
        if db_field.name == "item":
            kwargs["queryset"] = StandardItem.objects.filter(
                kind=ItemKind.NUMBER, standard_set__organization__in=owners,
            ).select_related("standard_set").order_by("standard_set__code", "-standard_set__version",
                                                      "ordering", "pk")
        elif db_field.name == "meeting_type":
            kwargs["queryset"] = MeetingType.objects.filter(owner__in=owners, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("number"), ordering="item__code")
    def item_code(self, obj):
        return obj.item.code

    @admin.display(description=_("requirement"))
    def item_requirement(self, obj):
        return obj.item.requirement[:60]

    @admin.display(description=_("standard set"), ordering="item__standard_set__name")
    def standard_set(self, obj):
        return obj.item.standard_set
