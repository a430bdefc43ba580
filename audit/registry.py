"""The models whose history the audit log reads, and the way from each to its organization.

Every model here holds a decision or money and has `history = HistoricalRecords(...)`.
The prefix is the path from the historical row to the organization the row belongs to,
as `orgs.scoping.scope_q` takes it: scoping a history row works like scoping the row.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Audited:
    label: str  # "app_label.model_name", the filter's value
    org_prefix: str  # "" for Organization itself

    @property
    def model(self):
        return apps.get_model(self.label)

    @property
    def history_model(self):
        return self.model.history.model

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name


AUDITED = [
    Audited("orgs.organization", ""),
    Audited("orgs.assignment", "organization__"),
    Audited("assessments.campaign", "organization__"),
    Audited("assessments.assessment", "organization__"),
    Audited("assessments.itemresponse", "assessment__organization__"),
    Audited("assessments.starrating", "organization__"),
    Audited("assessments.finding", "sample__assessment__organization__"),
    Audited("rectification.problem", "organization__"),
    Audited("rectification.rectificationtask", "organization__"),
    Audited("rectification.taskcheck", "task__organization__"),
    Audited("rectification.pairing", "organization__"),
    Audited("funding.fundingpolicy", "owner__"),
    Audited("funding.allocation", "organization__"),
    Audited("funding.disbursement", "allocation__organization__"),
    Audited("supervision.dispatch", "committee__"),
    Audited("supervision.inspection", "committee__"),
    Audited("supervision.inspectionfinding", "sample__organization__"),
    Audited("meetings.meeting", "organization__"),
]
BY_LABEL = {a.label: a for a in AUDITED}
