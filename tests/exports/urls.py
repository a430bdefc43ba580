"""The project's URLs and one test export, for tests marked `@pytest.mark.urls(__name__)`."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from exports.services import respond
from partybuild.urls import urlpatterns as project_urlpatterns

from . import builders


@login_required
def numbers_export(request):
    return respond(request, builders.numbers)


urlpatterns = [
    *project_urlpatterns,
    path("tests/numbers.xlsx", numbers_export, name="test_numbers_export"),
]
