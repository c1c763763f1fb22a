"""Big files: the import runs in a worker while the page shows its progress."""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import PurePath
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from core.imports.reading import MAX_ROWS, ImportForm, parse_file
from core.imports.resources import ScopedResource
from core.imports.running import ImportReport, RowReport, run_import
from core.imports.uploads import ImportSpec, _job_name, _session_key, drop_upload
from core.queue import enqueue

log = logging.getLogger(__name__)


def job_status(job: str) -> dict | None:
    """The job's state as the worker last wrote it: state (queued, running,
    done, failed), done and total rows, and when done the report."""
    try:
        with default_storage.open(_job_name(job), "rb") as handle:
            return json.loads(handle.read())
    except (FileNotFoundError, ValueError):  # not written yet, or caught mid-replace
        return None


def _job_write(job: str, status: dict) -> None:
    """Replace the status file; readers see the old one or the new one, never half of one."""
    data = json.dumps(status).encode()
    name = _job_name(job)
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # a remote storage: no rename, a reader may briefly see nothing
        default_storage.delete(name)
        default_storage.save(name, ContentFile(data))
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _report_dict(report: ImportReport) -> dict:
    return {
        "rows": [[r.number, r.action, r.label, r.errors] for r in report.rows],
        "general_errors": report.general_errors,
        "committed": report.committed,
    }


def _report_from_dict(data: dict) -> ImportReport:
    rows = [
        RowReport(number=number, action=action, label=label, errors=[tuple(e) for e in errors])
        for number, action, label, errors in data["rows"]
    ]
    return ImportReport(rows=rows, general_errors=data["general_errors"], committed=data["committed"])


def job_run(*, job: str, resource_path: str, user_id: int, key: str, name: str, commit: bool) -> None:
    """The import of a stashed file, in a worker: progress every PROGRESS_EVERY
    rows, then the report, both in the job's status file."""
    status = {"state": "running", "done": 0, "total": 0, "commit": commit}
    try:
        user = get_user_model().objects.get(pk=user_id)
        with default_storage.open(name, "rb") as handle:
            dataset = parse_file(handle.read(), PurePath(name).suffix.lower())
        status["total"] = len(dataset)
        _job_write(job, status)

        def progress(done: int) -> None:
            _job_write(job, status | {"done": done})

        resource_class = import_string(resource_path)
        if not (isinstance(resource_class, type) and issubclass(resource_class, ScopedResource)):
            raise TypeError(f"{resource_path} is not an import resource")
        resource = resource_class(user=user, key=key)
        resource.on_progress = progress
        # the history of every saved record names the importing user, as a page request would
        previous = getattr(HistoricalRecords.context, "request", None)
        HistoricalRecords.context.request = SimpleNamespace(user=user)
        try:
            report = run_import(resource, dataset, commit=commit)
        finally:
            HistoricalRecords.context.request = previous
    except ValidationError as error:
        _job_write(job, status | {"state": "failed", "error": "; ".join(error.messages)})
        return
    except Exception:  # noqa: BLE001 - the page must learn the job ended; the log keeps the cause
        log.exception("import job %s failed", job)
        _job_write(
            job, status | {"state": "failed", "error": _("The import stopped on an unexpected error.")}
        )
        return
    _job_write(job, status | {"state": "done", "done": status["total"], "report": _report_dict(report)})


def _job_start(request: HttpRequest, spec: ImportSpec, *, commit: bool) -> HttpResponse:
    from core.tasks import import_run_task  # the tasks module imports this one

    info = request.session[_session_key(spec.kind)]
    # A second click while the file's job runs follows that job: one import of a file at a time.
    running = info.get("job") and job_status(info["job"])
    if running and running["state"] in ("queued", "running"):
        return redirect(f"{request.path}?job={info['job']}")
    if info.get("job") and default_storage.exists(_job_name(info["job"])):
        default_storage.delete(_job_name(info["job"]))  # the preview's, replaced by the confirmation's
    job = uuid.uuid4().hex
    _job_write(job, {"state": "queued", "done": 0, "total": info["rows"], "commit": commit})
    request.session[_session_key(spec.kind)] = info | {"job": job}
    resource_path = f"{spec.resource_class.__module__}.{spec.resource_class.__qualname__}"
    queued = enqueue(
        import_run_task,
        job=job,
        resource_path=resource_path,
        user_id=request.user.pk,
        key=info["key"],
        name=info["name"],
        commit=commit,
        language=translation.get_language(),
    )
    if not queued:
        drop_upload(request, spec.kind)
        messages.error(request, _("The import could not be started: try again in a minute."))
        return redirect(request.path)
    return redirect(f"{request.path}?job={job}")


def _job_page(request: HttpRequest, spec: ImportSpec, job: str) -> HttpResponse:
    """The progress of a background import (htmx polls it), then its outcome."""
    info = request.session.get(_session_key(spec.kind)) or {}
    if not job or info.get("job") != job:
        raise Http404  # only the uploader's session knows its job
    status = job_status(job) or {"state": "queued", "done": 0, "total": info.get("rows", 0), "commit": False}
    if status["state"] in ("queued", "running"):
        polled = request.headers.get("HX-Request") == "true"
        template = "core/_import_progress.html" if polled else "core/import.html"
        return render(request, template, {"spec": spec, "job": status | {"id": job}, "max_rows": MAX_ROWS})
    if request.headers.get("HX-Request") == "true":  # finished: the browser loads the outcome in full
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{request.path}?job={job}"
        return response
    if status["state"] == "failed":
        drop_upload(request, spec.kind)
        messages.error(request, status["error"])
        return redirect(request.path)
    report = _report_from_dict(status["report"])
    if status["commit"] and report.committed:
        drop_upload(request, spec.kind)
        messages.success(
            request, _("Imported: %(new)s new, %(update)s updated, %(skip)s skipped.") % report.counts
        )
        return redirect(spec.back_url)
    if report.has_errors and not status["commit"]:
        drop_upload(request, spec.kind)  # only a clean file waits for confirmation
    keys = {k: str(v) for k, v in spec.resource_class.keys.items()}
    context = {
        "spec": spec,
        "form": ImportForm(keys=keys),
        "report": report,
        "filename": info["filename"],
        "key_label": keys.get(info["key"], ""),
        "max_rows": MAX_ROWS,
    }
    return render(request, "core/import.html", context, status=400 if status["commit"] else 200)
