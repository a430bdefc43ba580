"""督查: the monthly dispatch, the quarterly inspection, reminders, and the jobs behind them.

Nobody should have to remember to chase: Celery beat runs the jobs (the schedule
is django-celery-beat's, editable in the admin), each run is a `JobRun`, and each
job is idempotent through a unique key per period and subject:

- `Dispatch` (月调度): one per committee per month, compiled from the data on the 1st
  for the month before; committee staff add notes and submit it by the 10th.
- `Inspection` (季督查): one per committee per quarter with a weighted sample of its
  organizations; findings become problems (rectification) and a bulletin (通报).
- `Notification` (提醒): one per user, reminder and day — never twice the same day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from orgs.models import Organization
from partybuild.history import by_or_request_user


class Job(models.TextChoices):
    DISPATCH = "dispatch", _("Monthly dispatch")
    INSPECTION = "inspection", _("Quarterly inspection plan")
    REMINDERS = "reminders", _("Daily reminders")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a scheduled job (or of "run now"): when, for which day, what it made."""

    job = models.CharField(_("job"), max_length=20, choices=Job.choices, db_index=True)
    run_for = models.DateField(_("run for"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["job", "-created_at"])]

    def __str__(self):
        return f"{self.get_job_display()} {self.run_for}"


class CommitteeScoped(models.QuerySet):
    def visible_to(self, user):
        """A committee's papers are read by whoever's scope covers the committee."""
        from orgs.scoping import scope_q

        return self.filter(scope_q(user, "committee__"))


class DispatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Dispatch(models.Model):
    """月调度: one committee's month, compiled from the data and annotated by its staff."""

    committee = models.ForeignKey(
        Organization, verbose_name=_("committee"), on_delete=models.PROTECT,
        related_name="dispatches",
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month it covers."))
    due_on = models.DateField(_("due on"))
    figures = models.JSONField(_("figures"), default=dict)
    compiled_at = models.DateTimeField(_("compiled at"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DispatchStatus.choices, default=DispatchStatus.DRAFT,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["figures"])
    objects = CommitteeScoped.as_manager()

    class Meta:
        ordering = ["-period", "committee__path"]
        verbose_name = _("monthly dispatch")
        verbose_name_plural = _("monthly dispatches")
        constraints = [
            models.UniqueConstraint(fields=["committee", "period"], name="dispatch_once_a_month"),
        ]

    def __str__(self):
        return f"{self.committee} {self.period:%Y-%m}"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection status", "Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Inspection(models.Model):
    """季督查: one committee's quarter, with a sample of its organizations to visit."""

    committee = models.ForeignKey(
        Organization, verbose_name=_("committee"), on_delete=models.PROTECT,
        related_name="inspections",
    )
    period = models.DateField(_("quarter"), help_text=_("The first day of the quarter."))
    status = models.CharField(
        _("status"), max_length=12, choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), blank=True, related_name="+",
    )
    seed = models.BigIntegerField(_("random seed"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[inspectors])
    objects = CommitteeScoped.as_manager()

    class Meta:
        ordering = ["-period", "committee__path"]
        verbose_name = _("quarterly inspection")
        verbose_name_plural = _("quarterly inspections")
        constraints = [
            models.UniqueConstraint(fields=["committee", "period"], name="inspection_once_a_quarter"),
        ]

    def __str__(self):
        return f"{self.committee} {self.period.year}Q{(self.period.month - 1) // 3 + 1}"

    @property
    def quarter(self) -> int:
        return (self.period.month - 1) // 3 + 1


class SampleReason(models.TextChoices):
    LAGGING = "lagging", _("Lagging (后进)")
    OVERDUE = "overdue", _("Overdue rectification")
    RANDOM = "random", _("Random")


class InspectionSample(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="samples"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("why sampled"), max_length=10, choices=SampleReason.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["inspection", "organization__path"]
        verbose_name = _("inspected organization")
        verbose_name_plural = _("inspected organizations")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "organization"], name="inspection_sample_once"),
        ]

    def __str__(self):
        return str(self.organization)


class InspectionFinding(models.Model):
    """What an inspector found at one sampled organization; it becomes a problem."""

    sample = models.ForeignKey(
        InspectionSample, verbose_name=_("inspected organization"), on_delete=models.CASCADE,
        related_name="findings",
    )
    problem = models.OneToOneField(
        "rectification.Problem", verbose_name=_("problem"), on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords(get_user=by_or_request_user)

    class Meta:
        ordering = ["sample", "at"]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")


class NotificationKind(models.TextChoices):
    TASK_DUE = "task_due", _("Task due soon")
    TASK_OVERDUE = "task_overdue", _("Task overdue")
    TASK_ESCALATED = "task_escalated", _("Task overdue (escalated)")
    SELF_CHECK_DUE = "self_check_due", _("Self-check due soon")
    REVIEW_LATE = "review_late", _("Review past its deadline")
    DISPATCH_DUE = "dispatch_due", _("Monthly dispatch not submitted")
    INSPECTION = "inspection", _("Inspection assigned")
    MEETING_DUE = "meeting_due", _("Meeting not held yet")


class Notification(models.Model):
    """提醒: one message to one user. `key` names the reminder (kind and subject); with
    `sent_on` it is unique, so whatever reruns, a reminder goes out once a day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    key = models.CharField(_("key"), max_length=100)
    sent_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when made for a user with an address; cleared once the e-mail is sent, so a
    # retry sends what is still pending and nothing twice.
    email_pending = models.BooleanField(_("e-mail pending"), default=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "sent_on"], name="notification_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["created_at"], condition=Q(email_pending=True),
                         name="notification_email_pending"),
        ]

    def __str__(self):
        return self.title
