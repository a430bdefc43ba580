"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def report(request, pk=None):
    return HttpResponse("TODO")


@login_required
def report_export(request, pk=None):
    return HttpResponse("TODO")

