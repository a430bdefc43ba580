from django.urls import path

from .views import lists, pairings, wallchart, work

app_name = "rectification"

urlpatterns = [
    # The four lists and their exports (views/lists.py)
    path("problems/", lists.problem_list, name="problem_list"),
    path("problems/export.xlsx", lists.problem_export, name="problem_export"),
    path("tasks/", lists.task_list, name="task_list"),
    path("tasks/by-person/", lists.responsibility_list, name="responsibility_list"),
    path("tasks/by-status/", lists.status_list, name="status_list"),
    path("tasks/export.xlsx", lists.task_export, name="task_export"),
    # Problems and tasks, one at a time (views/work.py)
    path("problems/new/", work.problem_create, name="problem_create"),
    path("problems/<int:pk>/", work.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/tasks/new/", work.task_create, name="task_create"),
    path("assessments/<int:pk>/problems/", work.generate_problems, name="generate_problems"),
    path("tasks/<int:pk>/", work.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", work.task_edit, name="task_edit"),
    path("tasks/<int:pk>/report/", work.task_report, name="task_report"),
    path("tasks/<int:pk>/request-close/", work.task_request_close, name="task_request_close"),
    path("tasks/<int:pk>/check/", work.task_check, name="task_check"),
    path("updates/<int:pk>/file/", work.update_file, name="update_file"),
    # The wall chart (views/wallchart.py)
    path("wall-chart/", wallchart.wall_chart, name="wall_chart"),
    path("wall-chart.xlsx", wallchart.wall_chart_export, name="wall_chart_export"),
    # 3+1 pairings (views/pairings.py)
    path("pairings/", pairings.pairing_list, name="pairing_list"),
    path("pairings/export.xlsx", pairings.pairing_export, name="pairing_export"),
    path("pairings/new/", pairings.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", pairings.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/edit/", pairings.pairing_edit, name="pairing_edit"),
    path("pairings/<int:pk>/visits/new/", pairings.visit_create, name="visit_create"),
    path("pairings/<int:pk>/milestones/new/", pairings.milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/done/", pairings.milestone_done, name="milestone_done"),
]
