"""Serving an uploaded file that was checked on the way in (evidence, progress reports,
meeting attachments): one response, the same protections everywhere."""

from django.http import FileResponse, Http404


def checked_file_response(field, *, filename: str, content_type: str, inline: bool = False):
    """The file as the type we checked it to be; the caller has done the scope check."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing") from None
    reply = FileResponse(handle, as_attachment=not inline, filename=filename,
                         content_type=content_type)
    # Served as what we checked it to be, never as what a browser might guess.
    reply["X-Content-Type-Options"] = "nosniff"
    # Chromium will not open its PDF viewer in a sandboxed document, so a PDF shown in the
    # page gets the same lock-down minus `sandbox`.
    pdf_shown = inline and content_type == "application/pdf"
    reply["Content-Security-Policy"] = "default-src 'none'" if pdf_shown else "default-src 'none'; sandbox"
    reply["Cache-Control"] = "private, no-store"
    return reply
