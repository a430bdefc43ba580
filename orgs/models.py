from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class User(AbstractUser):
    """A person who logs in. Chinese names are not split, so one full_name field."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username


class Category(models.Model):
    """组织类别: 村, 社区, 机关 … A table, seeded by a migration, extendable in the admin."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["ordering", "pk"]
        verbose_name = _("organization category")
        verbose_name_plural = _("organization categories")

    def __str__(self):
        return self.name


class Level(models.TextChoices):
    COUNTY = "county", _("County committee")
    COMMITTEE = "committee", _("Party committee")
    WORK_COMMITTEE = "work_committee", _("Party work committee")
    GENERAL_BRANCH = "general_branch", _("General party branch")
    BRANCH = "branch", _("Party branch")
    JOINT_BRANCH = "joint_branch", _("Joint party branch")
    TEMPORARY_BRANCH = "temporary_branch", _("Temporary party branch")


# How high a level stands: a node may only hold levels ranked below it, except
# that a committee may hold another committee (县直机关工委 → 某局机关党委).
LEVEL_RANK = {
    Level.COUNTY: 0,
    Level.COMMITTEE: 1,
    Level.WORK_COMMITTEE: 1,
    Level.GENERAL_BRANCH: 2,
    Level.BRANCH: 3,
    Level.JOINT_BRANCH: 3,
    Level.TEMPORARY_BRANCH: 3,
}
BRANCH_LEVELS = frozenset({Level.BRANCH, Level.JOINT_BRANCH, Level.TEMPORARY_BRANCH})
COMMITTEE_LEVELS = frozenset({Level.COMMITTEE, Level.WORK_COMMITTEE})
# Party members are registered in branches; a committee's or general branch's
# own figure repeats its branches', so totals add up branch rows only.
MEMBER_HOLDERS = models.Q(level__in=BRANCH_LEVELS)


def level_can_hold(parent_level: str, child_level: str) -> bool:
    parent_rank, child_rank = LEVEL_RANK[parent_level], LEVEL_RANK[child_level]
    if parent_level in BRANCH_LEVELS:
        return False
    return child_rank > parent_rank or (child_rank == parent_rank == 1)


class OrganizationQuerySet(MP_NodeQuerySet):
    def visible_to(self, user):
        """The one scope mechanism: every organization queryset a user reaches goes through here."""
        from .scoping import scope_q

        return self.filter(scope_q(user))

    def subtree(self, org, include_self=True):
        qs = self.filter(path__startswith=org.path)
        return qs if include_self else qs.exclude(pk=org.pk)

    def active(self):
        return self.filter(is_active=True)


class OrganizationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganizationQuerySet(self.model).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)


phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", _("Enter a valid phone number."))


class Organization(MP_Node):
    """党组织: a node in the county's tree (县委 → 党委/党工委 → 党总支 → 党支部).

    The materialized path (treebeard's MP) makes a subtree one indexed prefix
    query, which is what scoping runs on every request. On PostgreSQL Django
    adds a varchar_pattern_ops index for the unique path, so LIKE 'prefix%'
    uses it (see tests/orgs/test_tree_index.py).
    """

    steplen = 4

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z_\-]+$", _("Use letters, digits, - and _ only."))],
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    secretary_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    member_count = models.PositiveIntegerField(_("party members"), default=0)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    venue_area = models.DecimalField(
        _("venue area (㎡)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    is_demonstration = models.BooleanField(_("demonstration site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    objects = OrganizationManager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")
        indexes = [
            models.Index(fields=["category", "level"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self):
        return self.name

    @property
    def parent_path(self):
        return self.path[: -self.steplen]

    @property
    def is_branch(self):
        return self.level in BRANCH_LEVELS

    @property
    def is_committee(self):
        return self.level in COMMITTEE_LEVELS

    def ancestor_paths(self):
        """Paths of every ancestor, root first, without a query."""
        return [self.path[:i] for i in range(self.steplen, len(self.path), self.steplen)]


class Role(models.TextChoices):
    COUNTY_STAFF = "county_staff", _("County organization department staff")
    COMMITTEE_STAFF = "committee_staff", _("Party (work) committee staff")
    SECRETARY = "secretary", _("Branch secretary")
    HELPER = "helper", _("Pairing helper")
    VIEWER = "viewer", _("Read-only viewer")


# Roles that may create, edit, move and deactivate organizations in their scope.
MANAGING_ROLES = frozenset({Role.COUNTY_STAFF, Role.COMMITTEE_STAFF})


class Assignment(models.Model):
    """A user holds a role over an organization and its subtree."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignments"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="assignment_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization}"
