"""STUB: to be written."""
from django.http import HttpResponse


def org_list(request, **kwargs):
    return HttpResponse('stub')


def org_tree(request, **kwargs):
    return HttpResponse('stub')


def tree_children(request, **kwargs):
    return HttpResponse('stub')


def org_detail(request, **kwargs):
    return HttpResponse('stub')


def org_create(request, **kwargs):
    return HttpResponse('stub')


def org_edit(request, **kwargs):
    return HttpResponse('stub')


def org_move(request, **kwargs):
    return HttpResponse('stub')


def org_set_active(request, **kwargs):
    return HttpResponse('stub')


