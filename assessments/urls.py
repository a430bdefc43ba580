from django.urls import path

from .views import assessments, campaigns, selfcheck, spotchecks

app_name = "assessments"

urlpatterns = [
    # Campaigns (views/campaigns.py)
    path("", campaigns.campaign_list, name="campaign_list"),
    path("new/", campaigns.campaign_create, name="campaign_create"),
    path("<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("<int:pk>/launch/", campaigns.campaign_launch, name="campaign_launch"),
    path("<int:pk>/progress/", campaigns.launch_progress, name="launch_progress"),
    path("<int:pk>/assessments/", campaigns.campaign_assessments, name="campaign_assessments"),
    path("<int:pk>/export.xlsx", campaigns.campaign_export, name="campaign_export"),
    # Self-check and evidence (views/selfcheck.py)
    path("mine/", selfcheck.my_tasks, name="my_tasks"),
    path("a/<int:pk>/fill/", selfcheck.fill, name="fill"),
    path("a/<int:pk>/submit/", selfcheck.submit, name="submit"),
    path("responses/<int:pk>/evidence/", selfcheck.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", selfcheck.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", selfcheck.evidence_delete, name="evidence_delete"),
    # Review, acceptance, stars (views/assessments.py)
    path("queue/", assessments.review_queue, name="review_queue"),
    path("a/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("a/<int:pk>/review/", assessments.review, name="review"),
    path("a/<int:pk>/approve/", assessments.approve, name="approve"),
    path("a/<int:pk>/return/", assessments.return_, name="return"),
    path("a/<int:pk>/accept/", assessments.accept, name="accept"),
    path("a/<int:pk>/export.xlsx", assessments.assessment_export, name="assessment_export"),
    path("stars/<int:org_pk>/revoke/", assessments.star_revoke, name="star_revoke"),
    # Spot checks (views/spotchecks.py)
    path("<int:pk>/spot-checks/new/", spotchecks.spot_check_create, name="spot_check_create"),
    path("spot-checks/<int:pk>/", spotchecks.spot_check_detail, name="spot_check_detail"),
    path("samples/<int:pk>/", spotchecks.sample_detail, name="sample_detail"),
]
