"""Placeholder: being written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def dispatch_board(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def dispatch_board_export(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def dispatch_detail(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def dispatch_notes(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def dispatch_submit(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def dispatch_recompile(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def dispatch_reopen(request, pk=None, job=None):
    return HttpResponse("TODO")


@login_required
def dispatch_export(request, pk=None, job=None):
    return HttpResponse("TODO")
