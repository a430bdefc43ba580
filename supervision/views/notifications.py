"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def notification_list(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def notification_mark_read(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def notification_open(request, pk=None, job=None):
    return HttpResponse("TODO")
