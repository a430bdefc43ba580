"""STUB: to be written."""
from django.http import HttpResponse


def review_queue(request, **kwargs):
    return HttpResponse('stub')


def assessment_detail(request, **kwargs):
    return HttpResponse('stub')


def review(request, **kwargs):
    return HttpResponse('stub')


def approve(request, **kwargs):
    return HttpResponse('stub')


def return_(request, **kwargs):
    return HttpResponse('stub')


def accept(request, **kwargs):
    return HttpResponse('stub')


def assessment_export(request, **kwargs):
    return HttpResponse('stub')


def star_revoke(request, **kwargs):
    return HttpResponse('stub')


