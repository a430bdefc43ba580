"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def job_status(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def job_run(request, pk=None, job=None):
    return HttpResponse("TODO")
