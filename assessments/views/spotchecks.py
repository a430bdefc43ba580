"""STUB: to be written."""
from django.http import HttpResponse


def spot_check_create(request, **kwargs):
    return HttpResponse('stub')


def spot_check_detail(request, **kwargs):
    return HttpResponse('stub')


def sample_detail(request, **kwargs):
    return HttpResponse('stub')


