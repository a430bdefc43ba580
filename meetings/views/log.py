"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def meeting_list(request, pk=None):
    return HttpResponse("TODO")


@login_required
def meeting_export(request, pk=None):
    return HttpResponse("TODO")


@login_required
def meeting_create(request, pk=None):
    return HttpResponse("TODO")


@login_required
def meeting_detail(request, pk=None):
    return HttpResponse("TODO")


@login_required
def meeting_edit(request, pk=None):
    return HttpResponse("TODO")


@login_required
def meeting_delete(request, pk=None):
    return HttpResponse("TODO")


@login_required
def attachment_add(request, pk=None):
    return HttpResponse("TODO")


@login_required
def attachment_download(request, pk=None):
    return HttpResponse("TODO")


@login_required
def attachment_delete(request, pk=None):
    return HttpResponse("TODO")


@login_required
def org_log(request, pk=None):
    return HttpResponse("TODO")
