"""Hardening that a plain request can show: the content security policy on every page, no
inline script left in a template, uploads never served by URL, strong passwords, a session
of a working day. (Throttled logins: tests/test_login.py; production flags:
tests/test_deployment.py; the CSP in a real browser: tests/browser/test_csp.py.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from assessments import services
from assessments.models import Evidence
from partybuild.middleware import CONTENT_SECURITY_POLICY

from .assessments.conftest import a1, campaign, small_set  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def _directives(policy):
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_the_policy_allows_no_inline_script_and_no_foreign_source():
    d = _directives(CONTENT_SECURITY_POLICY)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert d["style-src"] == ["'self'"]  # <style> elements blocked; attributes only below
    assert d["style-src-attr"] == ["'unsafe-inline'"]
    assert d["img-src"] == ["'self'", "data:"]
    assert d["object-src"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["base-uri"] == ["'self'"] and d["form-action"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/orgs/tree/", "/no-such-page/"])
def test_every_response_carries_the_policy(client, people, url):
    client.force_login(people.alice)
    response = client.get(url)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_a_checked_file_keeps_its_stricter_policy(client_for, people, a1, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    services.assessment_open(assessment=a1, by=people.dave)
    evidence = Evidence(response=a1.responses.first(), original_name="a.pdf", content_type="application/pdf",
                        size=9, sha256="0" * 64, uploaded_by=people.dave)
    evidence.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    response = client_for(people.dave).get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Content-Type-Options"] == "nosniff"
    # ...and the same file has no address of its own under MEDIA_URL.
    assert client_for(people.alice).get(f"/{settings.MEDIA_URL}{evidence.file.name}").status_code == 404


INLINE_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_holds_inline_script_or_style(path):
    """The policy would block them: behaviour goes in static/js/app.js (data-confirm,
    data-autosubmit, data-print), styles in static/css."""
    text = path.read_text(encoding="utf-8")
    assert not INLINE_HANDLER.search(text), "an on…= handler: use a data attribute and static/js"
    assert not INLINE_SCRIPT.search(text), "an inline <script>: move it to a file under static/js"
    assert "<style" not in text, "a <style> element: move it to static/css"
    assert "hx-on" not in text and "javascript:" not in text.lower()
    assert 'hx-vals=\'js:' not in text and 'hx-vars' not in text  # evaluated by htmx


def test_htmx_never_evaluates():
    base = (TEMPLATES / "base.html").read_text()
    assert '"allowEval":false' in base and '"includeIndicatorStyles":false' in base
    fill = (TEMPLATES / "assessments/selfcheck/fill.html").read_text()
    assert '"allowEval":false' in fill  # its own config block must keep it


def _patterns(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def test_no_url_serves_uploaded_files():
    media = str(settings.MEDIA_ROOT)
    for pattern in _patterns(get_resolver()):
        if pattern.callback is serve:
            assert str(pattern.default_args.get("document_root")) != media
    urls = (ROOT / "partybuild" / "urls.py").read_text()
    assert "MEDIA_URL" not in urls and "MEDIA_ROOT" not in urls


def test_passwords_need_ten_characters_and_the_standard_checks():
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == ["UserAttributeSimilarityValidator", "MinimumLengthValidator",
                     "CommonPasswordValidator", "NumericPasswordValidator"]
    with pytest.raises(ValidationError):
        validate_password("Qh-2024-a")  # nine characters
    with pytest.raises(ValidationError):
        validate_password("1234567890123")
    with pytest.raises(ValidationError):
        validate_password("password123")
    validate_password("Qinghe-2024-dangjian")


def test_a_login_lasts_a_working_day():
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False  # SESSION_EXPIRE_AT_BROWSER_CLOSE=true
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
