from django.urls import path

from .views import excel, pages

app_name = "standards"

urlpatterns = [
    # Browsing and editing (standards/views/pages.py)
    path("", pages.set_list, name="set_list"),
    path("new/", pages.set_create, name="set_create"),
    path("<int:pk>/", pages.set_detail, name="set_detail"),
    path("<int:pk>/edit/", pages.set_edit, name="set_edit"),
    path("<int:pk>/publish/", pages.set_publish, name="set_publish"),
    path("<int:pk>/new-version/", pages.set_new_version, name="set_new_version"),
    path("<int:pk>/retire/", pages.set_retire, name="set_retire"),
    path("<int:pk>/delete/", pages.set_delete, name="set_delete"),
    path("<int:pk>/checklist/", pages.checklist, name="checklist"),
    path("<int:pk>/items/add/", pages.item_create, name="item_create"),
    path("<int:pk>/dimensions/add/", pages.dimension_create, name="dimension_create"),
    path("dimensions/<int:pk>/edit/", pages.dimension_edit, name="dimension_edit"),
    path("items/", pages.item_search, name="item_search"),
    path("items/<int:pk>/edit/", pages.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", pages.item_delete, name="item_delete"),
    path("compare/", pages.compare, name="compare"),
    path("my-checklist/", pages.my_checklist, name="my_checklist"),
    # Excel (standards/views/excel.py)
    path("<int:pk>/export.xlsx", excel.set_export, name="set_export"),
    path("import/", excel.set_import, name="set_import"),
]
