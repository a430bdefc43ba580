"""STUB: to be written."""
from django.http import HttpResponse


def wall_chart(request, **kwargs):
    return HttpResponse('stub')


def wall_chart_export(request, **kwargs):
    return HttpResponse('stub')


