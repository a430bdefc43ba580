"""STUB: to be written."""
from django.http import HttpResponse


def campaign_list(request, **kwargs):
    return HttpResponse('stub')


def campaign_create(request, **kwargs):
    return HttpResponse('stub')


def campaign_detail(request, **kwargs):
    return HttpResponse('stub')


def campaign_edit(request, **kwargs):
    return HttpResponse('stub')


def campaign_launch(request, **kwargs):
    return HttpResponse('stub')


def launch_progress(request, **kwargs):
    return HttpResponse('stub')


def campaign_assessments(request, **kwargs):
    return HttpResponse('stub')


def campaign_export(request, **kwargs):
    return HttpResponse('stub')


