"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def ledger(request, pk=None):
    return HttpResponse("TODO")


@login_required
def ledger_export(request, pk=None):
    return HttpResponse("TODO")


@login_required
def generate(request, pk=None):
    return HttpResponse("TODO")

