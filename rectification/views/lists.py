"""STUB: to be written."""
from django.http import HttpResponse


def problem_list(request, **kwargs):
    return HttpResponse('stub')


def problem_export(request, **kwargs):
    return HttpResponse('stub')


def task_list(request, **kwargs):
    return HttpResponse('stub')


def responsibility_list(request, **kwargs):
    return HttpResponse('stub')


def status_list(request, **kwargs):
    return HttpResponse('stub')


def task_export(request, **kwargs):
    return HttpResponse('stub')


