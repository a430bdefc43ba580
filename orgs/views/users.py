"""STUB: to be written."""
from django.http import HttpResponse


def user_list(request, **kwargs):
    return HttpResponse('stub')


def user_create(request, **kwargs):
    return HttpResponse('stub')


def user_detail(request, **kwargs):
    return HttpResponse('stub')


def user_password(request, **kwargs):
    return HttpResponse('stub')


def assignment_create(request, **kwargs):
    return HttpResponse('stub')


def assignment_delete(request, **kwargs):
    return HttpResponse('stub')


