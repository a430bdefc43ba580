"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def inspection_list(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def inspection_detail(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def inspection_inspectors(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def inspection_finish(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def sample_visit(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def finding_create(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def bulletin(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def bulletin_export(request, pk=None, job=None):
    return HttpResponse("TODO")
