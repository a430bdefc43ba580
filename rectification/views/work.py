"""STUB: to be written."""
from django.http import HttpResponse


def problem_create(request, **kwargs):
    return HttpResponse('stub')


def problem_detail(request, **kwargs):
    return HttpResponse('stub')


def task_create(request, **kwargs):
    return HttpResponse('stub')


def generate_problems(request, **kwargs):
    return HttpResponse('stub')


def task_detail(request, **kwargs):
    return HttpResponse('stub')


def task_edit(request, **kwargs):
    return HttpResponse('stub')


def task_report(request, **kwargs):
    return HttpResponse('stub')


def task_request_close(request, **kwargs):
    return HttpResponse('stub')


def task_check(request, **kwargs):
    return HttpResponse('stub')


def update_file(request, **kwargs):
    return HttpResponse('stub')


