"""Admin for problems, tasks and 3+1 pairings, for clerks entering them in bulk.

Scoped like the pages (orgs/admin.py, assessments/admin.py): every queryset goes
through scope_q on the row's organization, and what a user may change follows their
role, not Django's permission table: committee and county staff over the
organization write problems and tasks, county staff write pairings. Creating and
editing go through rectification.services, so history and the rules hold (a pairing
gives its helpers their role, a deadline is not before the start). Status,
progress, checks and outcomes are read-only here for everyone, superusers included:
they move only by reports and checks on the task page (对账销号) and by the sync job.
Attachments are never served by the admin: rows link to the scope-checked download.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments.admin import ReadOnlyInline
from assessments.models import Assessment, AssessmentStatus, Grade
from orgs.admin import ScopedHistoryMixin
from orgs.models import Organization, Role
from orgs.scoping import grants, has_role, is_unrestricted, lineage_q, scope_q

from . import services
from .access import STAFF, can_manage, can_manage_pairings
from .models import (
    Milestone,
    Pairing,
    PairingStatus,
    Problem,
    RectificationTask,
    TaskCheck,
    TaskStatus,
    TaskUpdate,
    Visit,
    overdue_q,
)


def _staff_with_roles(request):
    return request.user.is_active and request.user.is_staff and (
        is_unrestricted(request.user) or bool(grants(request.user))
    )


def _people(user):
    """Users a clerk may name (responsible person, helpers): those holding a role in the
    clerk's scope or above it. Not every user of the province."""
    qs = get_user_model().objects.filter(is_active=True)
    if is_unrestricted(user):
        return qs.order_by("full_name", "username")
    return (
        qs.filter(lineage_q(user, "assignments__organization__"))
        .distinct()
        .order_by("full_name", "username")
    )


class ScopedAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Rows seen through their organization; written by `writer_roles` over it."""

    scope_prefix = "organization__"
    writer_roles = STAFF

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope_q(request.user, self.scope_prefix))

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return _staff_with_roles(request) and has_role(request.user, *self.writer_roles)

    def can_write(self, request, obj):
        return can_manage(request.user, obj.organization)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return _staff_with_roles(request) and self.can_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organization:
            kwargs["queryset"] = Organization.objects.filter(is_active=True).filter(
                scope_q(request.user, roles=self.writer_roles)
            )
        elif db_field.related_model is get_user_model():
            kwargs["queryset"] = _people(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# ---------------------------------------------------------------- problems


@admin.register(Problem)
class ProblemAdmin(ScopedAdmin):
    """A problem entered here is a hand-entered one (services.problem_create); those from
    assessments and spot checks are made by their services. Afterwards only the wording
    and the severity change."""

    list_display = ["short_description", "organization", "severity", "source", "item_code",
                    "found_on", "task_count"]
    list_filter = ["severity", "source", "found_on"]
    search_fields = ["description", "organization__name", "organization__code", "item__code"]
    list_select_related = ["organization", "item"]
    list_per_page = 50
    ADD_FIELDS = ["organization", "description", "severity", "found_on"]
    RECORD = ["organization", "source", "assessment", "item", "finding", "found_by", "found_on",
              "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tasks_n=Count("tasks"))

    def get_fields(self, request, obj=None):
        return self.ADD_FIELDS if obj is None else [*self.RECORD, "description", "severity"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.RECORD

    @admin.display(description=_("description"), ordering="description")
    def short_description(self, obj):
        return obj.description[:60]

    @admin.display(description=_("item"), ordering="item__code")
    def item_code(self, obj):
        return obj.item.code if obj.item_id else "—"

    @admin.display(description=_("tasks"), ordering="tasks_n")
    def task_count(self, obj):
        return obj.tasks_n

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.problem_create(
                organization=obj.organization, description=obj.description,
                severity=obj.severity, found_on=obj.found_on, by=request.user,
            )
            obj.__dict__.update(created.__dict__)
            return
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


# ---------------------------------------------------------------- tasks


class OverdueFilter(admin.SimpleListFilter):
    """Overdue is derived (an open task past its deadline), so it is a filter, not a field."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


def _file_link(update):
    if not update.file:
        return "—"
    url = reverse("rectification:update_file", args=[update.pk])
    return format_html('<a href="{}">{}</a>', url, update.original_name or update.pk)


class TaskUpdateInline(ReadOnlyInline):
    model = TaskUpdate
    fields = ["at", "by", "progress", "text", "attachment"]
    readonly_fields = fields

    @admin.display(description=_("attachment"))
    def attachment(self, obj):
        return _file_link(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class TaskCheckInline(ReadOnlyInline):
    model = TaskCheck
    fields = ["at", "by", "accepted", "comment"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class TaskAdminForm(forms.ModelForm):
    class Meta:
        model = RectificationTask
        fields = ["problem", "measure", "responsible", "responsible_name", "leader_name",
                  "starts_on", "deadline"]

    def clean(self):
        # The services' own checks, shown on the form instead of a 500.
        cleaned = super().clean()
        starts_on, deadline = cleaned.get("starts_on"), cleaned.get("deadline")
        if starts_on and deadline and deadline < starts_on:
            self.add_error("deadline", _("The deadline cannot be before the start."))
        for name in ("measure", "responsible_name"):
            if name in cleaned and not (cleaned[name] or "").strip():
                self.add_error(name, _("This field cannot be blank."))
        return cleaned


@admin.register(RectificationTask)
class RectificationTaskAdmin(ScopedAdmin):
    """A new task goes through services.task_create (an empty deadline is counted back
    from the campaign's end, 倒排), a change through services.task_edit; a closed task
    is a record and is not changed."""

    form = TaskAdminForm
    list_display = ["short_measure", "organization", "responsible_name", "leader_name",
                    "starts_on", "deadline", "status", "progress", "overdue"]
    list_filter = ["status", OverdueFilter, "deadline"]
    search_fields = ["measure", "responsible_name", "leader_name", "organization__name",
                     "organization__code"]
    list_select_related = ["organization"]
    list_per_page = 50
    raw_id_fields = ["problem"]
    inlines = [TaskUpdateInline, TaskCheckInline]
    RECORD = ["organization", "status", "progress", "created_by", "created_at", "closed_at"]

    def get_fields(self, request, obj=None):
        fields = list(TaskAdminForm.Meta.fields)
        return fields if obj is None else [*fields, *self.RECORD]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["problem", *self.RECORD]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "deadline" in form.base_fields:
            form.base_fields["deadline"].required = False
            form.base_fields["deadline"].help_text = _(
                "Empty: counted back from the end of the campaign (倒排) by severity.")
        return form

    def can_write(self, request, obj):
        return obj.status != TaskStatus.CLOSED and can_manage(request.user, obj.organization)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "problem":
            kwargs["queryset"] = Problem.objects.filter(
                scope_q(request.user, "organization__", roles=STAFF)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("measure"), ordering="measure")
    def short_measure(self, obj):
        return obj.measure[:60]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        people = {
            "measure": data["measure"], "responsible": data.get("responsible"),
            "responsible_name": data["responsible_name"], "leader_name": data["leader_name"],
        }
        if not change:
            created = services.task_create(
                problem=data["problem"], by=request.user, starts_on=data["starts_on"],
                deadline=data.get("deadline"), **people,
            )
            obj.__dict__.update(created.__dict__)
            return
        edited = services.task_edit(task=obj, by=request.user, starts_on=data["starts_on"],
                                    deadline=data["deadline"], **people)
        obj.__dict__.update(edited.__dict__)


# ---------------------------------------------------------------- 3+1 pairings


class MilestoneInline(admin.TabularInline):
    """转化时间推进表: kept by county staff over the paired organization."""

    model = Milestone
    extra = 0
    fields = ["title", "due_on", "done_on", "note"]

    def _can_change(self, request, obj):
        return obj is not None and can_manage_pairings(request.user, obj.organization)

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return self._can_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_change(request, obj)


class VisitInline(ReadOnlyInline):
    """Visits are logged by the helpers on the pairing page (services.visit_log)."""

    model = Visit
    fields = ["visited_on", "by", "found", "solved"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin):
    """A new pairing goes through services.pairing_create, which gives the three helpers
    their role on the organization; afterwards the people and the outcome stay as they
    are (the outcome is the sync job's), the target and the measures can change."""

    writer_roles = {Role.COUNTY_STAFF}
    list_display = ["organization", "county_leader", "committee_secretary", "cadre",
                    "baseline_grade", "target_grade", "target_date", "status", "upgraded_at"]
    list_filter = ["status", "target_grade", "baseline_grade"]
    search_fields = ["organization__name", "organization__code", "measures",
                     "county_leader__full_name", "committee_secretary__full_name",
                     "cadre__full_name"]
    list_select_related = ["organization", "county_leader", "committee_secretary", "cadre"]
    raw_id_fields = ["baseline"]
    inlines = [MilestoneInline, VisitInline]
    ADD_FIELDS = ["organization", "county_leader", "committee_secretary", "cadre", "baseline",
                  "target_grade", "target_date", "measures"]
    RECORD = ["organization", "county_leader", "committee_secretary", "cadre", "baseline",
              "baseline_grade", "status", "outcome", "upgraded_at", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.ADD_FIELDS
        return [*self.RECORD, "target_grade", "target_date", "measures"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.RECORD

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def can_write(self, request, obj):
        return can_manage_pairings(request.user, obj.organization)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "baseline":
            kwargs["queryset"] = Assessment.objects.filter(
                scope_q(request.user, "organization__", roles=self.writer_roles),
                status=AssessmentStatus.ACCEPTED,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class Checked(form):
            def clean(self):
                cleaned = super().clean()
                if obj is None:
                    _check_new_pairing(self, cleaned)
                return cleaned

        return Checked

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            created = services.pairing_create(
                organization=data["organization"], county_leader=data["county_leader"],
                committee_secretary=data["committee_secretary"], cadre=data["cadre"],
                baseline=data.get("baseline"), target_grade=data["target_grade"],
                target_date=data["target_date"], measures=data["measures"], by=request.user,
            )
            obj.__dict__.update(created.__dict__)
            return
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


def _check_new_pairing(form, cleaned):
    """services.pairing_create's refusals, on the form instead of a 500 (it checks again)."""
    org = cleaned.get("organization")
    helpers = [cleaned.get(n) for n in ("county_leader", "committee_secretary", "cadre")]
    if all(helpers) and len({h.pk for h in helpers}) < 3:
        form.add_error(None, _("The three helpers must be three different people."))
    baseline = cleaned.get("baseline")
    if baseline is not None and org is not None and baseline.organization_id != org.pk:
        form.add_error("baseline", _("Choose an assessment of this organization."))
    if org is not None and Pairing.objects.filter(
        organization=org, status=PairingStatus.ACTIVE
    ).exists():
        form.add_error("organization", _("This organization already has an active pairing."))
    target = cleaned.get("target_grade")
    start = baseline.grade if baseline is not None and baseline.grade else Grade.LAGGING
    if target and services.GRADE_RANK[target] <= services.GRADE_RANK[start]:
        form.add_error("target_grade", _("The target grade must be better than the present one."))
    if cleaned.get("target_date") and cleaned["target_date"] < timezone.localdate():
        form.add_error("target_date", _("The target date cannot be in the past."))
