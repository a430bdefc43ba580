"""STUB: to be written."""
from django.http import HttpResponse


def my_tasks(request, **kwargs):
    return HttpResponse('stub')


def fill(request, **kwargs):
    return HttpResponse('stub')


def submit(request, **kwargs):
    return HttpResponse('stub')


def evidence_upload(request, **kwargs):
    return HttpResponse('stub')


def evidence_download(request, **kwargs):
    return HttpResponse('stub')


def evidence_delete(request, **kwargs):
    return HttpResponse('stub')


