"""整改: the four lists (问题/任务/责任/整改) as one set of rows, and 3+1 pairing.

问题清单 is `Problem`; 任务清单, 责任清单 and 整改清单 are views of `RectificationTask`
(by task, by responsible person, by status). A task closes only after a checker
verifies it (对账销号, `TaskCheck`); a rejected check reopens it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assessments.models import Assessment, Finding, Grade
from orgs.models import Organization
from partybuild.history import by_or_request_user
from standards.models import StandardItem


class Scoped(models.QuerySet):
    def visible_to(self, user):
        from orgs.scoping import scope_q

        return self.filter(scope_q(user, "organization__"))


class ProblemSource(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment")
    SPOT_CHECK = "spot_check", _("Spot check")
    INSPECTION = "inspection", _("Inspection")
    MANUAL = "manual", _("Entered by hand")


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Problem(models.Model):
    """问题: one shortfall of one organization, from wherever it was found."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
        related_name="problems",
    )
    source = models.CharField(_("source"), max_length=12, choices=ProblemSource.choices)
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="problems",
    )
    item = models.ForeignKey(
        StandardItem, verbose_name=_("standard item"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )
    finding = models.OneToOneField(
        Finding, verbose_name=_("finding"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="problem",
    )
    description = models.TextField(_("description"))
    severity = models.CharField(
        _("severity"), max_length=6, choices=Severity.choices, default=Severity.MEDIUM
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("found by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = Scoped.as_manager()

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            # The generator runs again and again: one problem per failed item of an assessment.
            models.UniqueConstraint(
                fields=["assessment", "item"],
                condition=Q(source="assessment"),
                name="problem_once_per_assessment_item",
            )
        ]

    def __str__(self):
        return self.description[:40]


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CHECK = "awaiting_check", _("Awaiting check")
    # A closed task was checked and closed (已销号); a campaign's "Closed" is 已结束.
    CLOSED = "closed", pgettext_lazy("task status", "Closed")


class RectificationTask(models.Model):
    """整改任务: one measure against one problem, with the people responsible and a deadline.

    "Overdue" is not stored: it is an open task past its deadline (see `overdue_q`).
    """

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="tasks"
    )
    # The problem's organization, repeated so lists and the wall chart scope and sort in one join.
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
        related_name="rectification_tasks",
    )
    measure = models.TextField(_("measure"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    responsible_name = models.CharField(_("responsible person"), max_length=50)
    leader_name = models.CharField(_("responsible leader"), max_length=50, blank=True)
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    deadline = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(
        _("status"), max_length=15, choices=TaskStatus.choices, default=TaskStatus.OPEN,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = Scoped.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")

    def __str__(self):
        return self.measure[:40]

    @property
    def is_overdue(self):
        return self.status != TaskStatus.CLOSED and self.deadline < timezone.localdate()


def overdue_q(today=None):
    return ~Q(status=TaskStatus.CLOSED) & Q(deadline__lt=today or timezone.localdate())


def update_path(instance, filename):
    # A random name on disk; the original name is kept in the row (as for evidence).
    return f"rectification/{instance.task.organization_id}/{uuid.uuid4().hex}"


class TaskUpdate(models.Model):
    """A progress report, optionally with a photo or document (checked like evidence)."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("progress"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    file = models.FileField(_("attachment"), upload_to=update_path, blank=True, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")


class TaskCheck(models.Model):
    """对账销号: a checker's verdict on a closing request. Rejected reopens the task."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="checks")
    accepted = models.BooleanField(_("accepted"))
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(get_user=by_or_request_user)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")


class PairingStatus(models.TextChoices):
    ACTIVE = "active", _("Active pairing")
    UPGRADED = "upgraded", _("Upgraded")
    ENDED = "ended", _("Ended")


class Pairing(models.Model):
    """3+1 帮扶: a county leader, a committee secretary and an organization-department cadre
    paired with one lagging organization, with 三定一帮 (target, people, measures)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
        related_name="pairings",
    )
    county_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("county leader"), on_delete=models.PROTECT,
        related_name="+",
    )
    committee_secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("party (work) committee secretary"),
        on_delete=models.PROTECT, related_name="+",
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organization department cadre"),
        on_delete=models.PROTECT, related_name="+",
    )
    baseline = models.ForeignKey(
        Assessment, verbose_name=_("assessment that found it lagging"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    baseline_grade = models.CharField(
        _("grade at the start"), max_length=10, choices=Grade.choices, default=Grade.LAGGING
    )
    target_grade = models.CharField(
        _("target grade"), max_length=10, choices=Grade.choices, default=Grade.GENERAL
    )
    target_date = models.DateField(_("target date"))
    measures = models.TextField(_("measures"))
    status = models.CharField(
        _("status"), max_length=10, choices=PairingStatus.choices, default=PairingStatus.ACTIVE
    )
    outcome = models.ForeignKey(
        Assessment, verbose_name=_("assessment that upgraded it"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    upgraded_at = models.DateTimeField(_("upgraded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = Scoped.as_manager()

    class Meta:
        ordering = ["target_date", "pk"]
        verbose_name = _("3+1 pairing")
        verbose_name_plural = _("3+1 pairings")

    def __str__(self):
        return str(self.organization)

    @property
    def helpers(self):
        return [self.county_leader, self.committee_secretary, self.cadre]


class Milestone(models.Model):
    """A line of the 转化时间推进表."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")


class Visit(models.Model):
    """A helper's visit to the paired organization."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    found = models.TextField(_("what was found"))
    solved = models.TextField(_("what was solved"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
