class ChineseUnlessChosenMiddleware:
    """Serve zh-hans unless the user picked another language with the switch.

    Offices often run browsers set to English; the language a page shows must be
    the county's, not the browser's, so Accept-Language is ignored and only the
    language cookie set by the header switch counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# No inline script anywhere: templates load static files only, and htmx is told not to eval
# (base.html's htmx-config). Styles: stylesheets only from 'self'; style *attributes* are
# allowed because templates size progress bars and wall-chart cells with them and ECharts
# writes its tooltips as HTML with style attributes. An attribute cannot hold a selector or
# load a script, and url() in one is still limited by img-src; <style> elements stay blocked.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])


class ContentSecurityPolicyMiddleware:
    """Adds the site's CSP to every response that does not set its own (checked files
    served by partybuild/files.py carry a stricter one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
