"""The admin, for clerks entering data in bulk.

Non-superusers see exactly what the front end shows them: every queryset goes
through `scope_q`, and what they may change follows their role, not Django's
per-model permission table (one mechanism for both).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import MANAGING_ROLES, Assignment, Category, Organization, User
from .scoping import (
    can_manage,
    grants,
    has_role,
    is_county_staff,
    is_unrestricted,
    manageable_orgs,
    path_in_scope,
    scope_q,
)


class ScopedHistoryMixin:
    """simple-history falls back to the history of rows the queryset hides (for
    deleted objects); outside the scope that would leak, so only superusers get it."""

    def history_view(self, request, object_id, extra_context=None):
        if not is_unrestricted(request.user):
            try:
                visible = self.get_queryset(request).filter(pk=object_id).exists()
            except (ValueError, TypeError):
                visible = False
            if not visible:
                raise Http404
        return super().history_view(request, object_id, extra_context)


class ScopedAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Scope by the organization a row belongs to; `scope_prefix` is the way there."""

    scope_prefix = "organization__"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope_q(request.user, self.scope_prefix))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and (
            is_unrestricted(request.user) or bool(grants(request.user))
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def can_write(self, request):
        return is_unrestricted(request.user) or has_role(request.user, *MANAGING_ROLES)

    def has_add_permission(self, request):
        return self.has_module_permission(request) and self.can_write(request)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organization:
            kwargs["queryset"] = manageable_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ordering", "is_active"]
    list_editable = ["ordering", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and (
            is_unrestricted(request.user) or bool(grants(request.user))
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        # Categories are county-wide vocabulary: the organization department keeps them.
        return is_unrestricted(request.user) or (
            request.user.is_staff and is_county_staff(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class OrganizationAdminForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        label=_("Superior organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Changing it moves the organization with all its subordinates."),
    )

    class Meta:
        model = Organization
        fields = [
            "code", "name", "level", "category", "secretary_name", "secretary_phone",
            "member_count", "founded_on", "venue_area", "is_demonstration", "is_active",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        qs = manageable_orgs(user)
        if self.instance.pk:
            qs = qs.exclude(path__startswith=self.instance.path)
            self.current_parent = Organization.objects.get_parent(self.instance)
            self.fields["parent"].initial = self.current_parent
            # The current parent may lie outside the manage scope (a scope root).
            if self.current_parent is not None:
                qs = qs | Organization.objects.filter(pk=self.current_parent.pk)
        else:
            self.current_parent = None
        self.fields["parent"].queryset = qs
        self.fields["parent"].required = not is_unrestricted(user)

    def clean(self):
        cleaned = super().clean()
        parent, level = cleaned.get("parent"), cleaned.get("level")
        if level is None:
            return cleaned
        try:
            if self.instance.pk and parent is not None and parent != self.current_parent:
                self.instance.level = level
                services.check_move(org=self.instance, new_parent=parent)
            elif not self.instance.pk:
                services.check_level(parent=parent, level=level)
                if parent is None and not is_unrestricted(self.user):
                    raise ValidationError(_("Only a superuser may create a top-level organization."))
            if self.instance.pk and level != self.instance.level:
                services.check_level(parent=parent or self.current_parent, level=level)
                services.check_children_levels(org=self.instance, level=level)
        except ValidationError as exc:
            raise ValidationError({"parent": exc.messages}) from None
        return cleaned


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    """Creates and moves go through orgs.services so levels and history hold."""

    scope_prefix = ""
    form = OrganizationAdminForm
    list_display = [
        "indented_name", "code", "level", "category", "secretary_name", "secretary_phone",
        "member_count", "venue_area", "is_demonstration", "is_active",
    ]
    list_filter = ["level", "category", "is_demonstration", "is_active"]
    search_fields = ["code", "name", "secretary_name", "secretary_phone"]
    list_select_related = ["category"]
    ordering = ["path"]
    list_per_page = 50
    readonly_fields = ["created_at", "updated_at"]
    change_list_template = "admin/orgs/organization/change_list.html"
    fieldsets = [
        (None, {"fields": ["parent", "code", "name", "level", "category"]}),
        (_("Secretary"), {"fields": ["secretary_name", "secretary_phone"]}),
        (
            _("Figures"),
            {"fields": ["member_count", "founded_on", "venue_area", "is_demonstration", "is_active"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "　" * (obj.depth - 1) + obj.name

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class Bound(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return Bound

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return can_manage(request.user, obj)
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in OrganizationAdminForm.Meta.fields}
        parent = form.cleaned_data.get("parent")
        if not change:
            created = services.org_create(parent=parent, by=request.user, **data)
            obj.__dict__.update(created.__dict__)
            return
        original = Organization.objects.get(pk=obj.pk)
        if parent is not None and parent != form.current_parent:
            services.org_move(org=original, new_parent=parent, by=request.user)
            original.refresh_from_db()
        changed = {k: v for k, v in data.items() if getattr(original, k) != v}
        if changed:
            services.org_update(org=original, by=request.user, fields=changed)
        obj.__dict__.update(Organization.objects.get(pk=obj.pk).__dict__)


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ["user", "role", "organization", "note", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "organization__name", "organization__code"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user"]

    def can_write(self, request):
        # Who holds which role is the organization department's decision.
        return is_county_staff(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.visible_to(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not path_in_scope(request.user, obj.organization.path):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.can_write(request) and (
            obj is None or path_in_scope(request.user, obj.organization.path)
        )

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.assignment_remove(assignment=obj, by=request.user)


@admin.register(User)
class UserAdmin(ScopedHistoryMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "assignments__role"]
    search_fields = ["username", "full_name", "phone", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "phone", "email"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "phone", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_unrestricted(request.user):
            return qs
        return qs.filter(scope_q(request.user, "assignments__organization__")).distinct()

    def has_module_permission(self, request):
        return is_unrestricted(request.user) or (request.user.is_staff and is_county_staff(request.user))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        # A new user needs a role in scope at once: county staff create users on
        # the front end's user page, which asks for both together.
        return is_unrestricted(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_unrestricted(request.user)

    def get_readonly_fields(self, request, obj=None):
        if is_unrestricted(request.user):
            return ["last_login", "date_joined"]
        # County staff manage people, not privileges.
        return ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
