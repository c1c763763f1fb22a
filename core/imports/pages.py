"""The import page: upload, preview, confirm."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.imports.jobs import _job_page, _job_start
from core.imports.reading import MAX_ROWS, ImportForm
from core.imports.running import run_import
from core.imports.uploads import ImportSpec, _session_key, drop_upload, pending_upload, stash_upload


def import_page(request: HttpRequest, spec: ImportSpec) -> HttpResponse:
    """Upload (GET form, POST file) -> preview of every row -> confirm (POST
    `confirm`): all rows in one transaction, or none when any row has an error."""
    keys = {k: str(v) for k, v in spec.resource_class.keys.items()}
    if request.method == "GET" and request.GET.get("template") in ("csv", "xlsx"):
        return spec.resource_class(user=request.user).template_response(
            request.GET["template"], f"{spec.kind}-template"
        )
    if request.method == "GET" and "job" in request.GET:
        return _job_page(request, spec, request.GET["job"])
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, spec)
    form = ImportForm(
        request.POST or None, request.FILES or None, keys=keys, required=spec.resource_class.required_columns
    )
    context = {"spec": spec, "form": form, "max_rows": MAX_ROWS}
    if request.method == "POST" and form.is_valid():
        if len(form.dataset) > settings.IMPORT_FOREGROUND_ROWS:
            stash_upload(
                request,
                spec.kind,
                data=form.data_bytes,
                filename=form.cleaned_data["file"].name,
                key=form.cleaned_data["key"],
                rows=len(form.dataset),
            )
            return _job_start(request, spec, commit=False)
        resource = spec.resource_class(user=request.user, key=form.cleaned_data["key"])
        report = run_import(resource, form.dataset, commit=False)
        drop_upload(request, spec.kind)
        if not report.has_errors:  # only a clean file waits for confirmation
            stash_upload(
                request,
                spec.kind,
                data=form.data_bytes,
                filename=form.cleaned_data["file"].name,
                key=resource.key,
            )
        context |= {
            "report": report,
            "filename": form.cleaned_data["file"].name,
            "key_label": keys[resource.key],
        }
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "core/import.html", context, status=status)


def _confirm(request: HttpRequest, spec: ImportSpec) -> HttpResponse:
    info = request.session.get(_session_key(spec.kind)) or {}
    if info.get("rows", 0) > settings.IMPORT_FOREGROUND_ROWS and default_storage.exists(info["name"]):
        return _job_start(request, spec, commit=True)
    pending = pending_upload(request, spec.kind)
    if pending is None:
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect(request.path)
    dataset, info = pending
    resource = spec.resource_class(user=request.user, key=info["key"])
    report = run_import(resource, dataset, commit=True)
    if report.has_errors:  # the data changed since the preview: nothing was saved
        form = ImportForm(keys={k: str(v) for k, v in spec.resource_class.keys.items()})
        context = {
            "spec": spec,
            "form": form,
            "report": report,
            "filename": info["filename"],
            "max_rows": MAX_ROWS,
        }
        return render(request, "core/import.html", context, status=400)
    drop_upload(request, spec.kind)
    counts = report.counts
    messages.success(
        request,
        _("Imported: %(new)s new, %(update)s updated, %(skip)s skipped.") % counts,
    )
    return redirect(spec.back_url)


def stale_uploads_delete(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete uploaded files whose preview was never confirmed or cancelled."""
    try:
        _dirs, files = default_storage.listdir("imports")
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    deleted = 0
    for name in files:
        path = f"imports/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
