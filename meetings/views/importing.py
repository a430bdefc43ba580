"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def meeting_import(request, pk=None):
    return HttpResponse("TODO")


@login_required
def import_template(request, pk=None):
    return HttpResponse("TODO")
