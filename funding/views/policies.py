"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def policy_list(request, pk=None):
    return HttpResponse("TODO")


@login_required
def policy_export(request, pk=None):
    return HttpResponse("TODO")


@login_required
def policy_create(request, pk=None):
    return HttpResponse("TODO")


@login_required
def policy_load(request, pk=None):
    return HttpResponse("TODO")


@login_required
def policy_detail(request, pk=None):
    return HttpResponse("TODO")


@login_required
def policy_edit(request, pk=None):
    return HttpResponse("TODO")

