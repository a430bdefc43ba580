"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def compliance_table(request, pk=None):
    return HttpResponse("TODO")


@login_required
def compliance_export(request, pk=None):
    return HttpResponse("TODO")


@login_required
def who_met(request, pk=None):
    return HttpResponse("TODO")
