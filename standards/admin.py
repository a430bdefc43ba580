"""Admin for the standard library: sets with their dimensions, dimensions with their items.

Scoped like the pages: a set is seen by the people of its county (lineage_q) and
changed by county staff over its issuer, and only while it is a draft.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from orgs.admin import ScopedHistoryMixin
from orgs.models import Level, Role
from orgs.scoping import grants, has_role, is_unrestricted, lineage_q, scope_q

from . import services
from .access import can_edit_set
from .conditions import format_conditions, parse_conditions
from .models import Dimension, SetStatus, StandardItem, StandardSet


def _staff_with_roles(request):
    return request.user.is_active and request.user.is_staff and (
        is_unrestricted(request.user) or bool(grants(request.user))
    )


class SetScopedAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """`set_path` is the way from the row to its StandardSet ("" for the set itself)."""

    set_path = "standard_set__"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            lineage_q(request.user, f"{self.set_path}organization__")
        )

    def _set_of(self, obj):
        return obj if isinstance(obj, StandardSet) else obj.standard_set

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request, obj=None):
        return _staff_with_roles(request) and has_role(request.user, Role.COUNTY_STAFF)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        standard_set = self._set_of(obj)
        return standard_set.is_draft and can_edit_set(request.user, standard_set)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)



class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["name", "ordering", "weight"]
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return obj is None or (obj.is_draft and can_edit_set(request.user, obj))

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(StandardSet)
class StandardSetAdmin(SetScopedAdmin):
    set_path = ""
    list_display = ["name", "code", "version", "year", "status", "organization", "published_at"]
    list_filter = ["status", "year"]
    search_fields = ["name", "code", "source_document"]
    list_select_related = ["organization"]
    readonly_fields = ["version", "status", "previous", "published_at", "retired_at"]
    inlines = [DimensionInline]
    actions = ["publish", "new_version", "retire"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            from orgs.models import Organization

            kwargs["queryset"] = Organization.objects.filter(
                scope_q(request.user, roles={Role.COUNTY_STAFF}),
                level__in=[Level.COUNTY, Level.COMMITTEE, Level.WORK_COMMITTEE],
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.set_create(
                organization=obj.organization, code=obj.code, name=obj.name, year=obj.year,
                by=request.user, source_document=obj.source_document,
                description=obj.description, grade_levels=obj.grade_levels,
            )
            obj.__dict__.update(created.__dict__)
            return
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def _run(self, request, queryset, action, done_message):
        done = 0
        for standard_set in queryset:
            if not can_edit_set(request.user, standard_set):
                self.message_user(request, _("%(set)s: not yours to change.") % {"set": standard_set},
                                  messages.ERROR)
                continue
            try:
                action(standard_set=standard_set, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(
                    request, f"{standard_set}: {'；'.join(exc.messages)}", messages.ERROR
                )
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        self._run(request, queryset, services.set_publish,
                  lambda n: ngettext("%(n)d set published.", "%(n)d sets published.", n) % {"n": n})

    @admin.action(description=_("Make a new draft version of the selected sets"))
    def new_version(self, request, queryset):
        self._run(request, queryset, services.set_new_version,
                  lambda n: ngettext("%(n)d new version made.", "%(n)d new versions made.", n)
                  % {"n": n})

    @admin.action(description=_("Retire the selected sets"))
    def retire(self, request, queryset):
        self._run(request, queryset, services.set_retire,
                  lambda n: ngettext("%(n)d set retired.", "%(n)d sets retired.", n) % {"n": n})

    def has_change_permission(self, request, obj=None):
        # Actions need the changelist to allow changes; each action checks the set itself.
        if obj is None:
            return self.has_add_permission(request)
        return super().has_change_permission(request, obj)


class ItemAdminForm(forms.ModelForm):
    conditions_text = forms.CharField(
        label=_("conditions"), required=False,
        help_text=_("For example 党员人数>=10；示范点=是. Empty: applies to every organization."),
    )

    class Meta:
        model = StandardItem
        exclude = ["conditions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions_text"].initial = format_conditions(self.instance.conditions)

    def clean_conditions_text(self):
        try:
            return parse_conditions(self.cleaned_data["conditions_text"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def save(self, commit=True):
        self.instance.conditions = self.cleaned_data.get("conditions_text") or []
        return super().save(commit)


class StandardItemInline(admin.StackedInline):
    model = StandardItem
    form = ItemAdminForm
    extra = 0
    fk_name = "dimension"
    filter_horizontal = ["categories"]
    exclude = ["standard_set", "conditions"]

    def has_change_permission(self, request, obj=None):
        return obj is None or (obj.standard_set.is_draft and can_edit_set(request.user, obj.standard_set))

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Dimension)
class DimensionAdmin(SetScopedAdmin):
    list_display = ["name", "standard_set", "ordering", "weight"]
    list_filter = ["standard_set__status"]
    search_fields = ["name", "standard_set__name"]
    list_select_related = ["standard_set"]
    inlines = [StandardItemInline]
    # A dimension keeps no history table (its set and its items do): simple-history's view
    # would fail on it, so its history is Django's own change log, scoped by get_queryset.
    object_history_template = None

    def history_view(self, request, object_id, extra_context=None):
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "standard_set":
            kwargs["queryset"] = StandardSet.objects.visible_to(request.user).filter(
                status=SetStatus.DRAFT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        # Items in the inline belong to the dimension's set.
        for item_form in formset.forms:
            if item_form.has_changed() and not item_form.cleaned_data.get("DELETE"):
                item_form.instance.standard_set = form.instance.standard_set
                item_form.instance._history_user = request.user
        super().save_formset(request, form, formset, change)


@admin.register(StandardItem)
class StandardItemAdmin(SetScopedAdmin):
    form = ItemAdminForm
    list_display = ["code", "short_requirement", "kind", "max_score", "is_veto",
                    "evidence_required", "dimension", "standard_set"]
    list_filter = ["standard_set__status", "kind", "is_veto", "evidence_required", "categories"]
    search_fields = ["code", "requirement", "guidance", "source"]
    list_select_related = ["dimension", "standard_set"]
    filter_horizontal = ["categories"]
    list_per_page = 50

    @admin.display(description=_("requirement"))
    def short_requirement(self, obj):
        return obj.requirement[:40]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        drafts = StandardSet.objects.visible_to(request.user).filter(status=SetStatus.DRAFT)
        if db_field.name == "standard_set":
            kwargs["queryset"] = drafts
        elif db_field.name == "dimension":
            kwargs["queryset"] = Dimension.objects.filter(standard_set__in=drafts)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
