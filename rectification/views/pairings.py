"""STUB: to be written."""
from django.http import HttpResponse


def pairing_list(request, **kwargs):
    return HttpResponse('stub')


def pairing_export(request, **kwargs):
    return HttpResponse('stub')


def pairing_create(request, **kwargs):
    return HttpResponse('stub')


def pairing_detail(request, **kwargs):
    return HttpResponse('stub')


def pairing_edit(request, **kwargs):
    return HttpResponse('stub')


def visit_create(request, **kwargs):
    return HttpResponse('stub')


def milestone_create(request, **kwargs):
    return HttpResponse('stub')


def milestone_done(request, **kwargs):
    return HttpResponse('stub')


