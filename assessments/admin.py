"""Admin for campaigns and everything that hangs off them.

Scoped like the pages: a campaign is seen by everyone whose scope overlaps it
(lineage or subtree, as Campaign.objects.visible_to), every other row through the
organization it belongs to (scope_q), so bob sees the county's campaign but only
town A's assessments, responses, evidence, stars and samples.

Writes follow the role, not Django's permission table (as orgs/admin.py does):
county staff over a campaign's scope create, edit and launch it and draw spot
checks. Assessments, item responses, evidence, star ratings and findings are
read-only here for everyone, superusers included: they change only through the
pages' services, which record transitions, recompute scores and award stars.
Evidence files are never served by the admin: rows link to the scope-checked
download.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from orgs.admin import ScopedHistoryMixin
from orgs.models import Category, Role
from orgs.scoping import grants, has_role, is_unrestricted, lineage_q, scope_q
from standards.models import StandardSet

from . import services
from .access import can_manage_campaign
from .forms_campaigns import DRAFT_ONLY, StarThresholdsField, check_rule, scope_choices
from .models import (
    Assessment,
    Campaign,
    CampaignStatus,
    Evidence,
    Finding,
    ItemResponse,
    Phase,
    SpotCheck,
    SpotCheckSample,
    StarRating,
    Transition,
)

EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.ACTIVE)


def _staff_with_roles(request):
    return request.user.is_active and request.user.is_staff and (
        is_unrestricted(request.user) or bool(grants(request.user))
    )


def _campaign_q(user, prefix=""):
    """Campaign.objects.visible_to as a Q, from a model that reaches the campaign by `prefix`."""
    return lineage_q(user, f"{prefix}organization__") | scope_q(user, f"{prefix}organization__")


class CampaignFilter(admin.SimpleListFilter):
    """The campaign filter, listing only visible campaigns (the default filter would
    name every campaign in the database)."""

    title = _("campaign")
    parameter_name = "campaign"
    field_path = "campaign"

    def lookups(self, request, model_admin):
        qs = Campaign.objects.visible_to(request.user).order_by("-year", "name")
        return [(str(c.pk), str(c)) for c in qs]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{f"{self.field_path}_id": int(value)})
        return queryset


class ResponseCampaignFilter(CampaignFilter):
    field_path = "assessment__campaign"


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    """Rows reached through an organization (`scope_prefix`), readable in scope, never written."""

    scope_prefix = "organization__"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope_q(request.user, self.scope_prefix))

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline shown to whoever sees the parent; the parent admin has checked the scope."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- campaigns


class CampaignAdminForm(forms.ModelForm):
    star_thresholds = StarThresholdsField()

    class Meta:
        model = Campaign
        fields = [
            "name", "year", "standard_set", "organization", "categories", "include_committees",
            "self_check_deadline", "review_deadline",
            "advanced_min", "general_min", "veto_forces_lagging", "star_thresholds",
        ]

    def clean(self):
        cleaned = super().clean()
        check_rule(cleaned)
        return cleaned


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["name", "starts_on", "ends_on", "ordering"]

    def _can_change(self, request, obj):
        return obj is not None and obj.status in EDITABLE and can_manage_campaign(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return self._can_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._can_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_change(request, obj)


@admin.register(Campaign)
class CampaignAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    """Creation goes through services.campaign_create (the default phases are added
    then, so the phase inline appears once the campaign exists); launching through
    services.campaign_launch."""

    form = CampaignAdminForm
    list_display = ["name", "year", "organization", "standard_set", "status", "launch_state",
                    "self_check_deadline"]
    list_filter = ["status", "year"]
    search_fields = ["name", "organization__name", "standard_set__name"]
    list_select_related = ["organization", "standard_set"]
    filter_horizontal = ["categories"]
    inlines = [PhaseInline]
    actions = ["launch"]
    RECORD = ["status", "launch_total", "launch_done", "launch_error", "launched_at",
              "created_by", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(_campaign_q(request.user))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != CampaignStatus.DRAFT:
            # Launched: its assessments were made for this scope and will be scored by this rule.
            return [*DRAFT_ONLY, *self.RECORD]
        return self.RECORD

    @admin.display(description=_("launched"))
    def launch_state(self, obj):
        return f"{obj.launch_done}/{obj.launch_total}"

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return _staff_with_roles(request) and has_role(request.user, Role.COUNTY_STAFF)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            # The changelist's actions need it; each action checks the campaign itself.
            return self.has_add_permission(request)
        return obj.status in EDITABLE and can_manage_campaign(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "standard_set":
            kwargs["queryset"] = StandardSet.objects.visible_to(request.user).published()
        elif db_field.name == "organization":
            kwargs["queryset"] = scope_choices(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "categories":
            kwargs["queryset"] = Category.objects.filter(is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            created = services.campaign_create(
                name=obj.name, year=obj.year, standard_set=obj.standard_set,
                organization=obj.organization, by=request.user,
                include_committees=obj.include_committees,
                self_check_deadline=obj.self_check_deadline, review_deadline=obj.review_deadline,
                advanced_min=obj.advanced_min, general_min=obj.general_min,
                veto_forces_lagging=obj.veto_forces_lagging, star_thresholds=data["star_thresholds"],
            )
            obj.__dict__.update(created.__dict__)  # save_related then sets the categories
            return
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Launch the selected campaigns"))
    def launch(self, request, queryset):
        done = 0
        for campaign in queryset.select_related("organization"):
            if not can_manage_campaign(request.user, campaign):
                self.message_user(request, _("%(campaign)s: not yours to launch.")
                                  % {"campaign": campaign}, messages.ERROR)
                continue
            try:
                outcome = services.campaign_launch(campaign=campaign, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{campaign}: {'；'.join(exc.messages)}", messages.ERROR)
                continue
            done += 1
            if outcome == "queued":
                self.message_user(request, _("%(campaign)s: the launch runs in the background.")
                                  % {"campaign": campaign}, messages.INFO)
        if done:
            self.message_user(
                request,
                ngettext("%(n)d campaign launched.", "%(n)d campaigns launched.", done) % {"n": done},
                messages.SUCCESS,
            )


# ---------------------------------------------------------------- assessments


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ["from_status", "to_status", "by", "at", "comment"]
    readonly_fields = fields


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["organization", "campaign", "status", "self_score", "final_score", "grade",
                    "stars", "veto_failed", "submitted_at", "accepted_at"]
    list_filter = [CampaignFilter, "status", "grade", "veto_failed"]
    search_fields = ["organization__name", "organization__code"]
    list_select_related = ["organization", "campaign"]
    list_per_page = 50
    inlines = [TransitionInline]


def _download_link(evidence):
    url = reverse("assessments:evidence_download", args=[evidence.pk])
    return format_html('<a href="{}">{}</a>', url, evidence.original_name)


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        return _download_link(obj)


@admin.register(ItemResponse)
class ItemResponseAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "assessment__organization__"
    list_display = ["organization", "item_code", "self_value", "reviewer_value", "self_score",
                    "final_score", "updated_at"]
    list_filter = [ResponseCampaignFilter]
    search_fields = ["item__code", "assessment__organization__name",
                     "assessment__organization__code"]
    list_select_related = ["assessment__organization", "item"]
    list_per_page = 50
    inlines = [EvidenceInline]

    @admin.display(description=_("organization"), ordering="assessment__organization__path")
    def organization(self, obj):
        return obj.assessment.organization

    @admin.display(description=_("item"), ordering="item__code")
    def item_code(self, obj):
        return obj.item.code


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "response__assessment__organization__"
    # No `file`: its widget would link the stored file; the download view checks the scope.
    fields = ["download", "organization", "item_code", "content_type", "size", "sha256",
              "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    list_display = ["download", "organization", "item_code", "content_type", "size",
                    "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "response__assessment__organization__name"]
    list_select_related = ["response__assessment__organization", "response__item", "uploaded_by"]
    list_per_page = 50

    @admin.display(description=_("file"))
    def download(self, obj):
        return _download_link(obj)

    @admin.display(description=_("organization"))
    def organization(self, obj):
        return obj.response.assessment.organization

    @admin.display(description=_("item"))
    def item_code(self, obj):
        return obj.response.item.code


@admin.register(StarRating)
class StarRatingAdmin(ReadOnlyScopedAdmin):
    list_display = ["organization", "stars", "action", "reason", "by", "at"]
    list_filter = ["action", "stars"]
    search_fields = ["organization__name", "organization__code", "reason"]
    list_select_related = ["organization", "by"]


# ---------------------------------------------------------------- spot checks


class SampleInline(ReadOnlyInline):
    """The samples in the user's scope. Inspectors are assigned and findings recorded on
    the spot-check pages (services.sample_assign, finding_record), which check who may
    inspect what."""

    model = SpotCheckSample
    fields = ["assessment", "inspector", "done_at", "summary"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .filter(scope_q(request.user, "assessment__organization__"))
            .select_related("assessment__organization", "assessment__campaign", "inspector")
        )


class SpotCheckAdminForm(forms.ModelForm):
    """The draw's own checks (services.spot_check_draw), shown on the form instead of a 500."""

    class Meta:
        model = SpotCheck
        fields = ["campaign", "name", "share", "weight_lagging", "seed"]

    def clean(self):
        cleaned = super().clean()
        campaign = cleaned.get("campaign")
        if self.instance.pk is None:
            if campaign is not None and not campaign.assessments.exists():
                self.add_error("campaign", _("The campaign has no assessments to draw from: "
                                             "launch it first."))
            if cleaned.get("weight_lagging") is not None and cleaned["weight_lagging"] < 1:
                self.add_error("weight_lagging", _("Give a weight of 1 or more."))
            if cleaned.get("seed") is not None and cleaned["seed"] < 0:
                self.add_error("seed", _("Give a seed of 0 or more."))
        return cleaned


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    """A new spot check is drawn by services.spot_check_draw (seeded, weighted); afterwards
    only its name changes here."""

    form = SpotCheckAdminForm
    list_display = ["name", "campaign", "share", "weight_lagging", "seed", "sample_count",
                    "drawn_by", "drawn_at"]
    list_filter = [CampaignFilter]
    search_fields = ["name", "campaign__name"]
    list_select_related = ["campaign", "drawn_by"]
    inlines = [SampleInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .filter(_campaign_q(request.user, "campaign__"))
            .annotate(
                in_scope=Count(
                    "samples", filter=scope_q(request.user, "samples__assessment__organization__")
                )
            )
        )

    @admin.display(description=_("samples"), ordering="in_scope")
    def sample_count(self, obj):
        return obj.in_scope

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["campaign", "name", "share", "weight_lagging", "seed"]
        return ["campaign", "name", "share", "weight_lagging", "seed", "drawn_by", "drawn_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["campaign", "share", "weight_lagging", "seed", "drawn_by", "drawn_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "seed" in form.base_fields:
            form.base_fields["seed"].required = False
            form.base_fields["seed"].help_text = _("Empty: a random seed, stored to redraw the same sample.")
        return form

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_module_permission(self, request):
        return _staff_with_roles(request)

    def has_view_permission(self, request, obj=None):
        return _staff_with_roles(request)

    def has_add_permission(self, request):
        return _staff_with_roles(request) and has_role(request.user, Role.COUNTY_STAFF)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return can_manage_campaign(request.user, obj.campaign)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = Campaign.objects.filter(
                scope_q(request.user, "organization__", roles={Role.COUNTY_STAFF}),
                status=CampaignStatus.ACTIVE,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            drawn = services.spot_check_draw(
                campaign=obj.campaign, by=request.user, name=obj.name, share=obj.share,
                weight_lagging=obj.weight_lagging, seed=obj.seed,
            )
            obj.__dict__.update(drawn.__dict__)
            return
        super().save_model(request, obj, form, change)


@admin.register(Finding)
class FindingAdmin(ReadOnlyScopedAdmin):
    scope_prefix = "sample__assessment__organization__"
    list_display = ["organization", "item_code", "found_value", "note", "by", "at"]
    search_fields = ["note", "item__code", "sample__assessment__organization__name"]
    list_select_related = ["sample__assessment__organization", "item", "by"]

    @admin.display(description=_("organization"))
    def organization(self, obj):
        return obj.sample.assessment.organization

    @admin.display(description=_("item"), ordering="item__code")
    def item_code(self, obj):
        return obj.item.code
