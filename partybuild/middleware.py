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
