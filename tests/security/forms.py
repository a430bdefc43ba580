"""The fields of the forms a page holds, read with the standard library's HTML parser."""

from html.parser import HTMLParser
from urllib.parse import urlsplit


class FormParser(HTMLParser):
    """forms: [{"action": str, "method": str, "enctype": str, "fields": {name: [values]},
    "files": {name}, "choices": {name: [option values]}}]."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "enctype": a.get("enctype") or "", "fields": {}, "files": set(),
                               "choices": {}})
            return
        if not self.forms or not a.get("name"):
            if tag == "option" and self._select and self.forms:
                self.forms[-1]["choices"].setdefault(self._select, []).append(a.get("value", ""))
            return
        form, name = self.forms[-1], a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                form["files"].add(name)
            elif kind not in ("submit", "button", "reset", "image"):
                if kind in ("checkbox", "radio") and "checked" not in a:
                    form["choices"].setdefault(name, []).append(a.get("value", "on"))
                    form["fields"].setdefault(name, [])
                else:
                    form["fields"].setdefault(name, []).append(a.get("value", ""))
        elif tag in ("textarea", "select"):
            form["fields"].setdefault(name, [])
            if tag == "select":
                self._select = name
        elif tag == "button" and a.get("value") is not None:
            form["fields"].setdefault(name, []).append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(html: str, page_path: str):
    """The page's forms, each with its action made an absolute path."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        action = urlsplit(form["action"]).path if form["action"] else page_path
        form["action"] = action if action.startswith("/") else page_path
    return parser.forms
