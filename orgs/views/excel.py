"""STUB: to be written."""
from django.http import HttpResponse


def org_export(request, **kwargs):
    return HttpResponse('stub')


def org_import(request, **kwargs):
    return HttpResponse('stub')


