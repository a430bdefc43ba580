"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def binding_list(request, pk=None):
    return HttpResponse("TODO")


@login_required
def binding_delete(request, pk=None):
    return HttpResponse("TODO")
