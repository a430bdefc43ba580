"""评定活动: campaigns, one assessment per organization, item responses, evidence, stars, spot checks.

Launching a campaign creates only the `Assessment` rows (one per organization in
scope, in bulk). The `ItemResponse` rows of an assessment are made when its
self-check is first opened, for the items that apply to that organization then,
so a launch over thousands of organizations stays cheap and the applicable items
of an assessment never change under it afterwards.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from orgs.models import Category, Organization
from partybuild.history import by_or_request_user
from standards.models import StandardItem, StandardSet


class Grade(models.TextChoices):
    ADVANCED = "advanced", _("Advanced")
    GENERAL = "general", _("General")
    LAGGING = "lagging", _("Lagging")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LAUNCHING = "launching", _("Launching")
    # A context: the bare "Active" is already an organization's 在用.
    ACTIVE = "active", pgettext_lazy("campaign status", "Active")
    CLOSED = "closed", _("Closed")


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Campaigns whose scope overlaps the user's: run over it, or over a part of it."""
        from orgs.scoping import lineage_q, scope_q

        return self.filter(lineage_q(user, "organization__") | scope_q(user, "organization__"))


class Campaign(models.Model):
    """A published standard set applied to an organization's subtree in a year.

    The grading rule is data on the campaign: thresholds for 先进/一般 (below is
    后进), whether a failed veto item forces 后进, and the minimum score of each star.
    """

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveIntegerField(_("year"))
    standard_set = models.ForeignKey(
        StandardSet, verbose_name=_("standard set"), on_delete=models.PROTECT,
        related_name="campaigns",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("scope"), on_delete=models.PROTECT, related_name="campaigns",
        help_text=_("The campaign covers this organization's whole subtree."),
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True,
        help_text=_("Empty means every category."),
    )
    include_committees = models.BooleanField(
        _("assess committees too"), default=False,
        help_text=_("By default only branches and general branches are assessed."),
    )
    self_check_deadline = models.DateField(_("self-check deadline"))
    review_deadline = models.DateField(_("review deadline"))
    advanced_min = models.DecimalField(
        _("lowest score for advanced"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    general_min = models.DecimalField(
        _("lowest score for general"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Below this an organization is lagging."),
    )
    veto_forces_lagging = models.BooleanField(_("a failed veto item means lagging"), default=True)
    star_thresholds = models.JSONField(
        _("star thresholds"), default=list, blank=True,
        help_text=_("Lowest score for 1, 2, 3, 4 and 5 stars, in that order; empty: no stars."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    launch_total = models.PositiveIntegerField(_("organizations to launch"), default=0)
    launch_done = models.PositiveIntegerField(_("organizations launched"), default=0)
    launch_error = models.TextField(_("launch error"), blank=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["launch_done"])
    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return f"{self.year} {self.name}"

    @property
    def launch_percent(self):
        if not self.launch_total:
            return 100 if self.status == CampaignStatus.ACTIVE else 0
        return min(100, round(self.launch_done * 100 / self.launch_total))


class Phase(models.Model):
    """One stage of the campaign's timeline (seed 001's five stages by default)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["ordering", "starts_on"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self):
        return self.name


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    REVIEWED = "reviewed", _("Reviewed")
    ACCEPTED = "accepted", _("Accepted")


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from orgs.scoping import scope_q

        return self.filter(scope_q(user, "organization__"))


class Assessment(models.Model):
    """自查 / 审核 / 验收 of one organization in one campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="assessments"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
        related_name="assessments",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices,
        default=AssessmentStatus.NOT_STARTED, db_index=True,
    )
    self_score = models.DecimalField(
        _("self score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    final_score = models.DecimalField(
        _("final score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    self_grade = models.CharField(_("self grade"), max_length=10, choices=Grade.choices, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    veto_failed = models.BooleanField(_("a veto item failed"), default=False)
    dimension_scores = models.JSONField(_("scores by dimension"), default=dict, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Who changed status, scores, grade or stars, and from what (the audit log).
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "organization__path"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="assessment_one_per_org"
            )
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return f"{self.organization} · {self.campaign}"


class Transition(models.Model):
    """Every change of an assessment's status: who, when, from what to what, and why."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=AssessmentStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=AssessmentStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


class ItemResponse(models.Model):
    """条目结果: the secretary's value, the reviewer's value, and their scores.

    Values are stored as text whatever the kind ("true"/"false", "70.5", a grade
    label); a written answer goes in `self_text` and the reviewer's hand score in
    `reviewer_value`. Scores are computed by assessments.scoring, never typed.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="responses"
    )
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="responses")
    self_value = models.CharField(_("self value"), max_length=50, blank=True)
    self_text = models.TextField(_("answer"), blank=True)
    self_note = models.TextField(_("note"), blank=True)
    reviewer_value = models.CharField(_("reviewer value"), max_length=50, blank=True)
    reviewer_note = models.TextField(_("reviewer note"), blank=True)
    self_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    final_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Changes only: the blank rows made when a self-check is first opened are not recorded
    # (a few hundred per assessment, no decision in them); the audit log compares a first
    # change with the blank defaults.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["item__dimension__ordering", "item__ordering"]
        verbose_name = _("item response")
        verbose_name_plural = _("item responses")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="response_one_per_item")
        ]

    def __str__(self):
        return f"{self.assessment_id}:{self.item_id}"


def evidence_path(instance, filename):
    # A random name on disk: the original name is kept in the row, never trusted as a path.
    return f"evidence/{instance.response.assessment.campaign_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """佐证材料: a checked upload, served only through a scope-checked view."""

    response = models.ForeignKey(ItemResponse, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name


class StarAction(models.TextChoices):
    AWARDED = "awarded", _("Awarded")
    REVOKED = "revoked", _("Taken away")


class StarRating(models.Model):
    """星级 history: each award and each 摘牌降星 is a row; the latest row is the current rating."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="star_ratings"
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MaxValueValidator(5)]
    )
    action = models.CharField(_("action"), max_length=10, choices=StarAction.choices)
    reason = models.TextField(_("reason"), blank=True)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="star_ratings"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords(get_user=by_or_request_user)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        # An organization's latest rating (its current stars, and the one before a
        # change) is one index probe: the dashboard asks it of every organization.
        indexes = [models.Index(fields=["organization", "-at", "-id"], name="star_rating_latest")]


class SpotCheck(models.Model):
    """随机抽查: a reproducible sample of a campaign's organizations (the seed is stored)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="spot_checks")
    name = models.CharField(_("name"), max_length=100)
    share = models.DecimalField(
        _("share sampled (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
    )
    weight_lagging = models.PositiveSmallIntegerField(
        _("weight of lagging organizations"), default=1,
        help_text=_("2 means a lagging organization is twice as likely to be drawn."),
    )
    seed = models.BigIntegerField(_("random seed"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")

    def __str__(self):
        return self.name


class SpotCheckSample(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="samples")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="samples")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["assessment__organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "assessment"], name="sample_once")
        ]


class Finding(models.Model):
    """What an inspector found on one item; its value replaces the item's final value."""

    sample = models.ForeignKey(SpotCheckSample, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="+")
    found_value = models.CharField(_("value found"), max_length=50, blank=True)
    note = models.TextField(_("note"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords(get_user=by_or_request_user)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
