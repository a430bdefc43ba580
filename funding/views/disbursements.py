"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def disbursement_list(request, pk=None):
    return HttpResponse("TODO")


@login_required
def disbursement_export(request, pk=None):
    return HttpResponse("TODO")


@login_required
def disbursement_import(request, pk=None):
    return HttpResponse("TODO")


@login_required
def import_template(request, pk=None):
    return HttpResponse("TODO")

