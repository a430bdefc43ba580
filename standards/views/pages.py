"""STUB: to be written."""
from django.http import HttpResponse


def set_list(request, **kwargs):
    return HttpResponse('stub')


def set_create(request, **kwargs):
    return HttpResponse('stub')


def set_detail(request, **kwargs):
    return HttpResponse('stub')


def set_edit(request, **kwargs):
    return HttpResponse('stub')


def set_publish(request, **kwargs):
    return HttpResponse('stub')


def set_new_version(request, **kwargs):
    return HttpResponse('stub')


def set_retire(request, **kwargs):
    return HttpResponse('stub')


def set_delete(request, **kwargs):
    return HttpResponse('stub')


def checklist(request, **kwargs):
    return HttpResponse('stub')


def item_create(request, **kwargs):
    return HttpResponse('stub')


def dimension_create(request, **kwargs):
    return HttpResponse('stub')


def dimension_edit(request, **kwargs):
    return HttpResponse('stub')


def item_search(request, **kwargs):
    return HttpResponse('stub')


def item_edit(request, **kwargs):
    return HttpResponse('stub')


def item_delete(request, **kwargs):
    return HttpResponse('stub')


def compare(request, **kwargs):
    return HttpResponse('stub')


def my_checklist(request, **kwargs):
    return HttpResponse('stub')


