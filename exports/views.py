"""A user's background exports: progress, download, list. Only the user who asked sees a job."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from partybuild.files import checked_file_response
from partybuild.xlsx import XLSX_CONTENT_TYPE

from .models import ExportJob, ExportStatus


def _own(request, pk):
    # Another user's job is a 404: the file holds rows of the asker's scope.
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


@login_required
@require_GET
def job_list(request):
    page = Paginator(ExportJob.objects.filter(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "exports/job_list.html", {"page_obj": page, "jobs": page.object_list})


@login_required
@require_GET
def job_detail(request, pk):
    return render(request, "exports/job_detail.html", {"job": _own(request, pk)})


@login_required
@require_GET
def job_progress(request, pk):
    """The progress block, polled by the detail page until the job has finished."""
    return render(request, "exports/_progress.html", {"job": _own(request, pk)})


@login_required
@require_GET
def job_download(request, pk):
    job = _own(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        return render(request, "exports/job_detail.html", {"job": job}, status=404)
    return checked_file_response(job.file, filename=job.filename, content_type=XLSX_CONTENT_TYPE)
