"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def org_funding(request, pk=None):
    return HttpResponse("TODO")


@login_required
def org_funding_export(request, pk=None):
    return HttpResponse("TODO")


@login_required
def allocation_create(request, pk=None):
    return HttpResponse("TODO")


@login_required
def allocation_detail(request, pk=None):
    return HttpResponse("TODO")


@login_required
def allocation_edit(request, pk=None):
    return HttpResponse("TODO")


@login_required
def disbursement_create(request, pk=None):
    return HttpResponse("TODO")


@login_required
def disbursement_delete(request, pk=None):
    return HttpResponse("TODO")

