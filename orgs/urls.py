from django.urls import path

from .views import excel, tree, users

app_name = "orgs"

urlpatterns = [
    # Organizations (orgs/views/tree.py)
    path("", tree.org_list, name="list"),
    path("tree/", tree.org_tree, name="tree"),
    path("tree/<int:pk>/children/", tree.tree_children, name="tree_children"),
    path("<int:pk>/", tree.org_detail, name="detail"),
    path("<int:parent_pk>/add/", tree.org_create, name="create"),
    path("<int:pk>/edit/", tree.org_edit, name="edit"),
    path("<int:pk>/move/", tree.org_move, name="move"),
    path("<int:pk>/active/", tree.org_set_active, name="set_active"),
    # Excel (orgs/views/excel.py)
    path("export.xlsx", excel.org_export, name="export"),
    path("import/", excel.org_import, name="import"),
    # Users and assignments (orgs/views/users.py)
    path("users/", users.user_list, name="user_list"),
    path("users/add/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/password/", users.user_password, name="user_password"),
    path("users/<int:pk>/assignments/add/", users.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/remove/", users.assignment_delete, name="assignment_delete"),
]
