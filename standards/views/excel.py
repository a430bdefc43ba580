"""STUB: to be written."""
from django.http import HttpResponse


def set_export(request, **kwargs):
    return HttpResponse('stub')


def set_import(request, **kwargs):
    return HttpResponse('stub')


