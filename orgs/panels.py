"""Panels that later apps add to the organization page.

orgs must not import the apps built on it (the dependency points one way), yet
the organization page is where a branch's grade, stars or funding belong. So an
app registers a function here in its AppConfig.ready(); the page calls each one
with the request and the organization and renders what it returns.

A panel function returns None (nothing to show) or (template_name, context). It
must cost a fixed number of queries.
"""

_PANELS = []


def register(func):
    if func not in _PANELS:
        _PANELS.append(func)
    return func


def panels_for(request, org):
    shown = []
    for func in _PANELS:
        panel = func(request, org)
        if panel is not None:
            shown.append(panel)
    return shown
