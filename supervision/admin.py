"""Admin for supervision: dispatches, inspections, findings, notifications and job runs.

Scoped like the pages (orgs/admin.py, rectification/admin.py): a dispatch or an
inspection is seen through its committee (scope_q), a finding through its
inspection's committee, and what a user may change follows their role, not
Django's permission table. The jobs make dispatches, inspection plans, samples,
notifications and job runs, so none of them is added by hand, and every write goes
through the services: a draft dispatch's notes by the staff over its committee
(services.dispatch_save_notes); an inspection's inspectors and notes by county staff
over its committee (inspections.inspectors_set); a finding by county staff or the
inspection's inspectors (inspections.finding_record, which makes the problem).
Status, figures and dates are read-only for everyone, superusers included: they
move on the pages (submit, send back, record a visit, finish).

A notification is its user's alone, superusers excepted; job runs are for
superusers and county staff, read-only. The Celery beat schedule itself is
django-celery-beat's PeriodicTask admin, registered by the library (superusers).
"""

import json
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from assessments.admin import ReadOnlyInline
from orgs.admin import ScopedHistoryMixin
from orgs.models import MANAGING_ROLES, Role
from orgs.scoping import grants, has_role, is_unrestricted, lineage_q, path_in_scope, scope_q
from orgs.selectors.committees import committee_choices
from rectification.models import Severity

from . import inspections, services
from .dispatch import MONEY_LINES, SECTIONS
from .models import (
    Dispatch,
    DispatchStatus,
    Inspection,
    InspectionFinding,
    InspectionSample,
    InspectionStatus,
    JobRun,
    Notification,
)

COUNTY = {Role.COUNTY_STAFF}


def _staff_with_roles(request):
    return request.user.is_active and request.user.is_staff and (
        is_unrestricted(request.user) or bool(grants(request.user))
    )


def _people(user):
    """Who a clerk may name as an inspector: users holding a role in the clerk's scope or
    above it (the county's 督查组 sits on the county), not every user of the province."""
    qs = get_user_model().objects.filter(is_active=True)
    if is_unrestricted(user):
        return qs.order_by("full_name", "username")
    return qs.filter(lineage_q(user, "assignments__organization__")).distinct() \
        .order_by("full_name", "username")


def _quarter_label(day):
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _month_label(day):
    return f"{day:%Y-%m}"


# ---------------------------------------------------------------- list filters


class CommitteeFilter(admin.SimpleListFilter):
    """The committees in the user's scope (the default filter would name every
    organization in the database)."""

    title = _("committee")
    parameter_name = "committee"
    field_path = "committee"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.name) for c in committee_choices(request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{f"{self.field_path}_id": int(value)})
        return queryset


class FindingCommitteeFilter(CommitteeFilter):
    field_path = "sample__inspection__committee"


class PeriodFilter(admin.SimpleListFilter):
    """The months (or quarters) that have rows in the user's scope, latest first."""

    title = _("month")
    parameter_name = "period"
    field_path = "period"
    label = staticmethod(_month_label)
    LIMIT = 36

    def lookups(self, request, model_admin):
        scoped = model_admin.model._default_manager.filter(
            scope_q(request.user, model_admin.scope_prefix))
        days = (
            scoped.order_by(f"-{self.field_path}")
            .values_list(self.field_path, flat=True).distinct()[: self.LIMIT]
        )
        return [(day.isoformat(), self.label(day)) for day in days]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return queryset.none()
        return queryset.filter(**{self.field_path: day})


class QuarterFilter(PeriodFilter):
    title = _("quarter")
    label = staticmethod(_quarter_label)


class FindingQuarterFilter(QuarterFilter):
    field_path = "sample__inspection__period"


def late_q(today=None):
    """services.is_late as a query: submitted after the due date, or still not
    submitted when it has passed."""
    today = today or timezone.localdate()
    return Q(submitted_at__isnull=False, submitted_at__date__gt=F("due_on")) | Q(
        submitted_at__isnull=True, due_on__lt=today
    )


class LateFilter(admin.SimpleListFilter):
    title = _("late")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("Late")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(late_q())
        if self.value() == "no":
            return queryset.exclude(late_q())
        return queryset


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        return queryset


# ---------------------------------------------------------------- scoped base


class CommitteeScopedAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Rows seen through their committee; made by the jobs, never added or deleted here."""

    list_per_page = 50
    scope_prefix = "committee__"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope_q(request.user, self.scope_prefix))

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("month"), ordering="period")
    def month(self, obj):
        return _month_label(obj.period)

    @admin.display(description=_("quarter"), ordering="period")
    def quarter_label(self, obj):
        return _quarter_label(obj.period)


# ---------------------------------------------------------------- dispatches


@admin.register(Dispatch)
class DispatchAdmin(CommitteeScopedAdmin):
    """The staff over a committee keep a draft's notes here; submitting and sending back
    happen on the dispatch page, which records who and when."""

    list_display = ["committee", "month", "status", "due_on", "late", "submitted_by",
                    "submitted_at", "compiled_at"]
    list_filter = [PeriodFilter, "status", LateFilter, CommitteeFilter]
    search_fields = ["committee__name", "committee__code", "notes"]
    list_select_related = ["committee", "submitted_by"]
    RECORD = ["committee", "month", "status", "due_on", "late", "compiled_at", "submitted_by",
              "submitted_at"]
    readonly_fields = [*RECORD, "figures_table"]
    fieldsets = [
        (None, {"fields": ["committee", "month", "status", "due_on", "late"]}),
        (_("Figures"), {"fields": ["figures_table"]}),
        (_("Notes"), {"fields": ["notes"]}),
        (_("Record"), {"fields": ["compiled_at", "submitted_by", "submitted_at"]}),
    ]

    def has_change_permission(self, request, obj=None):
        if not _staff_with_roles(request) or not has_role(request.user, *MANAGING_ROLES):
            return False
        return obj is None or (
            obj.status == DispatchStatus.DRAFT
            and path_in_scope(request.user, obj.committee.path, MANAGING_ROLES)
        )

    @admin.display(description=_("late"), boolean=True)
    def late(self, obj):
        return services.is_late(obj)

    @admin.display(description=_("figures"))
    def figures_table(self, obj):
        figures = obj.figures or {}
        rows = []
        for key, label, lines in SECTIONS:
            values = figures.get(key, {})
            for index, (line, line_label) in enumerate(lines):
                value = values.get(line, "")
                if (key, line) in MONEY_LINES and value != "":
                    value = floatformat(value, "2g")
                rows.append((label if index == 0 else "", line_label, value))
        table = format_html(
            '<table><tbody>{}</tbody></table>',
            format_html_join("", '<tr><th>{}</th><td>{}</td><td style="text-align:right">{}</td>'
                             "</tr>", rows),
        )
        known = {key for key, _label, _lines in SECTIONS}
        other = {k: v for k, v in figures.items() if k not in known}
        if other:
            table = format_html("{}<pre>{}</pre>", table,
                                json.dumps(other, ensure_ascii=False, indent=2, sort_keys=True))
        return table

    def save_model(self, request, obj, form, change):
        saved = services.dispatch_save_notes(dispatch=obj, by=request.user,
                                             notes=form.cleaned_data["notes"])
        obj.__dict__.update(saved.__dict__)


# ---------------------------------------------------------------- inspections


class SampleInline(ReadOnlyInline):
    """The sample is drawn by the plan job; visits are recorded on the inspection page."""

    model = InspectionSample
    fields = ["organization", "reason", "weight", "inspected_on", "note", "finding_count"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization") \
            .annotate(findings_n=Count("findings"))

    @admin.display(description=_("findings"))
    def finding_count(self, obj):
        return obj.findings_n


class InspectionAdminForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["inspectors", "notes"]


@admin.register(Inspection)
class InspectionAdmin(CommitteeScopedAdmin):
    """County staff over the committee assign the inspectors and keep the notes until the
    inspection is done; the sample and the findings are shown, not edited."""

    form = InspectionAdminForm
    list_display = ["committee", "quarter_label", "status", "sample_count", "visited_count",
                    "finding_count", "inspector_names", "created_at", "finished_at"]
    list_filter = [QuarterFilter, "status", CommitteeFilter]
    search_fields = ["committee__name", "committee__code", "notes", "samples__organization__name",
                     "inspectors__full_name", "inspectors__username"]
    list_select_related = ["committee"]
    filter_horizontal = ["inspectors"]
    inlines = [SampleInline]
    RECORD = ["committee", "quarter_label", "status", "seed", "created_at", "finished_at"]
    readonly_fields = [*RECORD, "findings_table"]
    fieldsets = [
        (None, {"fields": ["committee", "quarter_label", "status", "inspectors", "notes"]}),
        (_("Findings"), {"fields": ["findings_table"]}),
        (_("Record"), {"fields": ["seed", "created_at", "finished_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            samples_n=Count("samples", distinct=True),
            visited_n=Count("samples", filter=Q(samples__inspected_on__isnull=False), distinct=True),
            findings_n=Count("samples__findings", distinct=True),
        ).prefetch_related("inspectors")

    def has_change_permission(self, request, obj=None):
        if not _staff_with_roles(request) or not has_role(request.user, *COUNTY):
            return False
        return obj is None or (
            obj.status != InspectionStatus.DONE
            and path_in_scope(request.user, obj.committee.path, COUNTY)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "inspectors":
            kwargs["queryset"] = _people(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("organizations"), ordering="samples_n")
    def sample_count(self, obj):
        return obj.samples_n

    @admin.display(description=_("visited"), ordering="visited_n")
    def visited_count(self, obj):
        return obj.visited_n

    @admin.display(description=_("findings"), ordering="findings_n")
    def finding_count(self, obj):
        return obj.findings_n

    @admin.display(description=_("inspectors"))
    def inspector_names(self, obj):
        return "、".join(u.display_name for u in obj.inspectors.all()) or "—"

    @admin.display(description=_("findings"))
    def findings_table(self, obj):
        findings = (
            InspectionFinding.objects.filter(sample__inspection=obj)
            .select_related("sample__organization", "problem", "by")
            .order_by("sample__organization__path", "at")
        )
        rows = [
            (f.sample.organization.name,
             reverse("admin:rectification_problem_change", args=[f.problem_id]),
             f.problem.description[:80], f.problem.get_severity_display(), f.by.display_name,
             timezone.localtime(f.at).strftime("%Y-%m-%d %H:%M"))
            for f in findings
        ]
        if not rows:
            return "—"
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join("", '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td>'
                             "<td>{}</td><td>{}</td></tr>", rows),
        )

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # The inspectors through the service (history on the inspection), not save_m2m.
        inspections.inspectors_set(inspection=form.instance, by=request.user,
                                   users=form.cleaned_data["inspectors"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# ---------------------------------------------------------------- findings


def _recordable_samples(user):
    """Samples of open inspections in the user's scope where they may record: county
    staff over the committee, or an inspector of the inspection."""
    qs = InspectionSample.objects.exclude(inspection__status=InspectionStatus.DONE)
    if not is_unrestricted(user):  # (a superuser's scope is Q(), which an OR would drop)
        qs = qs.filter(scope_q(user, "inspection__committee__")).filter(
            scope_q(user, "inspection__committee__", roles=COUNTY) | Q(inspection__inspectors=user))
    return (
        qs.select_related("inspection__committee", "organization")
        .order_by("-inspection__period", "inspection__committee__path", "organization__path")
        .distinct()
    )


class SampleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.inspection} · {obj.organization.name}"


class FindingAddForm(forms.ModelForm):
    description = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 4}))
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices,
                                 initial=Severity.MEDIUM)

    class Meta:
        model = InspectionFinding
        fields = ["sample"]

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("Describe what was found."))
        return text


@admin.register(InspectionFinding)
class InspectionFindingAdmin(admin.ModelAdmin):
    """A finding entered here goes through inspections.finding_record: a problem (source
    督查) for the organization, the visit dated if it was not. Its wording and severity
    are the problem's, changed in the problem admin."""

    list_display = ["short_description", "organization", "inspection", "severity", "by", "at"]
    list_filter = [FindingQuarterFilter, FindingCommitteeFilter, "problem__severity"]
    search_fields = ["problem__description", "sample__organization__name",
                     "sample__organization__code", "sample__inspection__committee__name"]
    list_select_related = ["sample__organization", "sample__inspection__committee", "problem", "by"]
    list_per_page = 50
    date_hierarchy = "at"
    scope_prefix = "sample__inspection__committee__"
    fields = ["sample", "inspection", "problem_link", "severity", "by", "at"]
    readonly_fields = ["inspection", "problem_link", "severity", "by", "at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope_q(request.user, self.scope_prefix))

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return _staff_with_roles(request) and _recordable_samples(request.user).exists()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = FindingAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["sample", "description", "severity"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.readonly_fields, "sample"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sample":
            kwargs["queryset"] = _recordable_samples(request.user)
            kwargs["form_class"] = SampleChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("description"), ordering="problem__description")
    def short_description(self, obj):
        return obj.problem.description[:60]

    @admin.display(description=_("organization"), ordering="sample__organization__path")
    def organization(self, obj):
        return obj.sample.organization.name

    @admin.display(description=_("inspection"), ordering="sample__inspection__period")
    def inspection(self, obj):
        return str(obj.sample.inspection)

    @admin.display(description=_("severity"), ordering="problem__severity")
    def severity(self, obj):
        return obj.problem.get_severity_display()

    @admin.display(description=_("problem"))
    def problem_link(self, obj):
        url = reverse("admin:rectification_problem_change", args=[obj.problem_id])
        return format_html('<a href="{}">{}</a>', url, obj.problem.description[:80])

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = inspections.finding_record(sample=data["sample"], by=request.user,
                                             description=data["description"],
                                             severity=data["severity"])
        obj.__dict__.update(created.__dict__)


# ---------------------------------------------------------------- notifications


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """A user's own notifications (superusers see everyone's, to answer "did it go out?").
    The reminder job writes them; marking read marks only the viewer's own."""

    list_display = ["title", "user", "kind", "sent_on", "is_read", "email_state", "created_at"]
    list_filter = [ReadFilter, "kind"]
    search_fields = ["title", "body", "user__username", "user__full_name"]
    list_select_related = ["user"]
    list_per_page = 50
    date_hierarchy = "sent_on"
    actions = ["mark_read"]
    fields = ["user", "kind", "title", "body", "link", "sent_on", "created_at", "read_at",
              "email_pending", "emailed_at", "key"]
    readonly_fields = fields

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if is_unrestricted(request.user) else qs.filter(user=request.user)

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("read"), boolean=True, ordering="read_at")
    def is_read(self, obj):
        return obj.read_at is not None

    @admin.display(description=_("e-mail"))
    def email_state(self, obj):
        if obj.emailed_at and not obj.email_pending:
            return timezone.localtime(obj.emailed_at).strftime("%Y-%m-%d %H:%M")
        return _("Pending") if obj.email_pending else "—"

    @admin.display(description=_("link"))
    def link(self, obj):
        if not obj.url.startswith("/"):
            return obj.url or "—"
        return format_html('<a href="{}">{}</a>', obj.url, obj.url)

    @admin.action(description=_("Mark my selected notifications read"), permissions=["view"])
    def mark_read(self, request, queryset):
        n = services.mark_read(user=request.user, ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(n)d notification marked read.",
                                            "%(n)d notifications marked read.", n) % {"n": n},
                          messages.SUCCESS)


# ---------------------------------------------------------------- job runs


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """What the schedule (and "run now") did: read-only, for superusers and county staff.
    The schedule itself is the periodic tasks' admin (django-celery-beat)."""

    list_display = ["job", "run_for", "status", "attempts", "created_at", "started_at",
                    "finished_at", "duration", "requested_by", "result_summary"]
    list_filter = ["job", "status"]
    search_fields = ["error"]
    list_select_related = ["requested_by"]
    list_per_page = 50
    date_hierarchy = "run_for"
    fields = ["job", "run_for", "status", "attempts", "requested_by", "created_at", "started_at",
              "finished_at", "duration", "result_pretty", "error_pretty"]
    readonly_fields = fields

    def _allowed(self, request):
        user = request.user
        return user.is_active and user.is_staff and (
            is_unrestricted(user) or has_role(user, Role.COUNTY_STAFF)
        )

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("duration"))
    def duration(self, obj):
        if not (obj.started_at and obj.finished_at):
            return "—"
        seconds = (obj.finished_at - obj.started_at).total_seconds()
        return f"{seconds:.1f} s"

    @admin.display(description=_("result"))
    def result_summary(self, obj):
        if not isinstance(obj.result, dict):
            return str(obj.result)[:80] or "—"
        return ", ".join(f"{k}: {v}" for k, v in obj.result.items())[:120] or "—"

    @admin.display(description=_("result"))
    def result_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.result, ensure_ascii=False, indent=2,
                                                       sort_keys=True))

    @admin.display(description=_("error"))
    def error_pretty(self, obj):
        return format_html("<pre>{}</pre>", obj.error) if obj.error else "—"
