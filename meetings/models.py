"""组织生活: the log of 三会一课, 主题党日 and the other meetings a branch holds.

`MeetingType` and `MeetingRule` are a county's data (the shipped library in
data/library.json: 支部委员会 at least monthly, 支部党员大会 quarterly …); a `Meeting`
is one held by one organization, with attendance, topic, minutes and attachments
(photos, sign-in sheets, checked like evidence). `ItemBinding` ties a number item
of a standard set to a meeting type, so a self-check can read the count from the
log instead of a secretary typing it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orgs.models import BRANCH_LEVELS, Organization
from standards.models import StandardItem


class CountyScoped(models.QuerySet):
    def visible_to(self, user):
        """A county's types and rules are read by everyone in it (like its standards)."""
        from orgs.scoping import lineage_q

        return self.filter(lineage_q(user, "owner__"))


class MeetingType(models.Model):
    owner = models.ForeignKey(
        Organization, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CountyScoped.as_manager()

    class Meta:
        ordering = ["owner_id", "ordering", "pk"]
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")
        constraints = [
            models.UniqueConstraint(fields=["owner", "code"], name="meeting_type_code_per_owner"),
        ]

    def __str__(self):
        return self.name


class Rhythm(models.TextChoices):
    MONTH = "month", _("Every month")
    QUARTER = "quarter", _("Every quarter")
    YEAR = "year", _("Every year")


def default_levels():
    return sorted(BRANCH_LEVELS)


class MeetingRule(models.Model):
    """At least `minimum` meetings of a type in every month / quarter / year."""

    owner = models.ForeignKey(
        Organization, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    meeting_type = models.ForeignKey(
        MeetingType, verbose_name=_("meeting type"), on_delete=models.PROTECT, related_name="rules"
    )
    rhythm = models.CharField(_("rhythm"), max_length=10, choices=Rhythm.choices)
    minimum = models.PositiveSmallIntegerField(_("at least"), default=1)
    levels = models.JSONField(_("levels"), default=default_levels)
    valid_from = models.PositiveSmallIntegerField(_("from year"), default=2014)
    valid_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = CountyScoped.as_manager()

    class Meta:
        ordering = ["owner_id", "meeting_type__ordering", "rhythm"]
        verbose_name = _("meeting rule")
        verbose_name_plural = _("meeting rules")
        constraints = [
            models.UniqueConstraint(fields=["owner", "meeting_type", "rhythm"],
                                    name="meeting_rule_once"),
            models.CheckConstraint(condition=Q(minimum__gte=1), name="meeting_rule_minimum"),
        ]

    def __str__(self):
        return f"{self.meeting_type} · {self.get_rhythm_display()} ≥ {self.minimum}"


class Scoped(models.QuerySet):
    def visible_to(self, user):
        from orgs.scoping import scope_q

        return self.filter(scope_q(user, "organization__"))


class Meeting(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
        related_name="meetings",
    )
    meeting_type = models.ForeignKey(
        MeetingType, verbose_name=_("meeting type"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"), db_index=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    host = models.CharField(_("host"), max_length=50, blank=True)
    due = models.PositiveIntegerField(_("members due"), default=0)
    present = models.PositiveIntegerField(_("members present"), default=0)
    absences = models.TextField(
        _("absent, with reasons"), blank=True, help_text=_("One per line: name and reason."),
    )
    topic = models.CharField(_("topic"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = Scoped.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["organization", "meeting_type", "held_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=F("due")), name="meeting_present_le_due"),
        ]

    def __str__(self):
        return f"{self.held_on} {self.meeting_type} · {self.topic}"


def attachment_path(instance, filename):
    # A random name on disk; the original name is kept in the row (as for evidence).
    return f"meetings/{instance.meeting.organization_id}/{uuid.uuid4().hex}"


class MeetingAttachment(models.Model):
    """A photo or sign-in sheet, checked by content as evidence is (assessments.evidence)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class ItemBinding(models.Model):
    """A number item answered from the log: how many meetings of the type the organization
    held in the campaign's year up to the self-check deadline."""

    item = models.OneToOneField(
        StandardItem, verbose_name=_("standard item"), on_delete=models.CASCADE,
        related_name="meeting_binding",
    )
    meeting_type = models.ForeignKey(
        MeetingType, verbose_name=_("meeting type"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("item answered from the meeting log")
        verbose_name_plural = _("items answered from the meeting log")

    def __str__(self):
        return f"{self.item} ← {self.meeting_type}"
