"""Which world object (tests/security/world.py) fills each URL keyword, per pattern.

Keyed by pattern name; a pattern with keywords but no entry here fails the matrix.
"""

_BY_KIND = {
    "org": ["orgs:tree_children", "orgs:detail", "orgs:create", "orgs:edit", "orgs:move",
            "orgs:set_active", "assessments:star_revoke", "funding:org_funding",
            "funding:org_funding_export", "funding:allocation_create", "meetings:org_log"],
    "user": ["orgs:user_detail", "orgs:user_password", "orgs:assignment_create"],
    "assignment": ["orgs:assignment_delete"],
    "standard_set": ["standards:set_detail", "standards:set_edit", "standards:set_publish",
                     "standards:set_new_version", "standards:set_retire", "standards:set_delete",
                     "standards:checklist", "standards:item_create", "standards:dimension_create",
                     "standards:set_export"],
    "dimension": ["standards:dimension_edit"],
    "item": ["standards:item_edit", "standards:item_delete"],
    "campaign": ["assessments:campaign_detail", "assessments:campaign_edit",
                 "assessments:campaign_launch", "assessments:launch_progress",
                 "assessments:campaign_assessments", "assessments:campaign_export",
                 "assessments:spot_check_create"],
    "assessment": ["assessments:fill", "assessments:submit", "assessments:assessment_detail",
                   "assessments:review", "assessments:approve", "assessments:return",
                   "assessments:accept", "assessments:assessment_export",
                   "rectification:generate_problems"],
    "response": ["assessments:evidence_upload"],
    "evidence": ["assessments:evidence_download", "assessments:evidence_delete"],
    "spot_check": ["assessments:spot_check_detail"],
    "spot_sample": ["assessments:sample_detail"],
    "problem": ["rectification:problem_detail", "rectification:task_create"],
    "task": ["rectification:task_detail", "rectification:task_edit", "rectification:task_report",
             "rectification:task_request_close", "rectification:task_check"],
    "update": ["rectification:update_file"],
    "pairing": ["rectification:pairing_detail", "rectification:pairing_edit",
                "rectification:visit_create", "rectification:milestone_create"],
    "milestone": ["rectification:milestone_done"],
    "allocation": ["funding:allocation_detail", "funding:allocation_edit",
                   "funding:disbursement_create"],
    "disbursement": ["funding:disbursement_delete"],
    "policy": ["funding:policy_detail", "funding:policy_edit"],
    "dispatch": ["supervision:dispatch_detail", "supervision:dispatch_notes",
                 "supervision:dispatch_submit", "supervision:dispatch_recompile",
                 "supervision:dispatch_reopen", "supervision:dispatch_export"],
    "inspection": ["supervision:inspection_detail", "supervision:inspection_inspectors",
                   "supervision:inspection_finish"],
    "inspection_sample": ["supervision:sample_visit", "supervision:finding_create"],
    "notification": ["supervision:notification_open"],
    "meeting": ["meetings:meeting_detail", "meetings:meeting_edit", "meetings:meeting_delete",
                "meetings:attachment_add"],
    "attachment": ["meetings:attachment_download", "meetings:attachment_delete"],
    "binding": ["meetings:binding_delete"],
    "export_job": ["exports:job_detail", "exports:job_progress", "exports:job_download"],
}

KIND_OF = {name: kind for kind, names in _BY_KIND.items() for name in names}

# Keywords that are not objects: a fixed value, the same inside and outside.
FIXED = {("supervision:job_run", "job"): "reminders"}


def kwarg_values(world, pattern, role, where):
    """{keyword: value} for the pattern, or None when the world lacks the object."""
    from .urlwalk import pick

    values = {}
    for kw in pattern.kwargs:
        if (pattern.key, kw) in FIXED:
            values[kw] = FIXED[pattern.key, kw]
            continue
        obj = pick(world, KIND_OF[pattern.key], role, where)
        if obj is None:
            return None
        values[kw] = obj.pk
    return values
