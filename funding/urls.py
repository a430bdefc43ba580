from django.urls import path

from .views import allocations, compliance, disbursements, ledger, policies

app_name = "funding"

urlpatterns = [
    # The ledger: allocations of the scope for a year (views/ledger.py)
    path("", ledger.ledger, name="ledger"),
    path("ledger.xlsx", ledger.ledger_export, name="ledger_export"),
    path("generate/", ledger.generate, name="generate"),
    # Compliance against the policies (views/compliance.py)
    path("compliance/", compliance.report, name="compliance"),
    path("compliance.xlsx", compliance.report_export, name="compliance_export"),
    # One organization's money, one allocation (views/allocations.py)
    path("orgs/<int:pk>/", allocations.org_funding, name="org_funding"),
    path("orgs/<int:pk>/export.xlsx", allocations.org_funding_export, name="org_funding_export"),
    path("orgs/<int:pk>/allocations/new/", allocations.allocation_create, name="allocation_create"),
    path("allocations/<int:pk>/", allocations.allocation_detail, name="allocation_detail"),
    path("allocations/<int:pk>/edit/", allocations.allocation_edit, name="allocation_edit"),
    path("allocations/<int:pk>/pay/", allocations.disbursement_create, name="disbursement_create"),
    path("disbursements/<int:pk>/delete/", allocations.disbursement_delete,
         name="disbursement_delete"),
    # Payments: list, export, import (views/disbursements.py)
    path("disbursements/", disbursements.disbursement_list, name="disbursement_list"),
    path("disbursements.xlsx", disbursements.disbursement_export, name="disbursement_export"),
    path("disbursements/import/", disbursements.disbursement_import, name="disbursement_import"),
    path("disbursements/template.xlsx", disbursements.import_template, name="import_template"),
    # Policies (views/policies.py)
    path("policies/", policies.policy_list, name="policy_list"),
    path("policies.xlsx", policies.policy_export, name="policy_export"),
    path("policies/new/", policies.policy_create, name="policy_create"),
    path("policies/load/", policies.policy_load, name="policy_load"),
    path("policies/<int:pk>/", policies.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", policies.policy_edit, name="policy_edit"),
]
