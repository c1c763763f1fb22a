"""The pending upload kept between preview and confirmation, and what an import page is made of (ImportSpec)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath

import tablib
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest

from core.imports.reading import parse_file
from core.imports.resources import ScopedResource


def _session_key(kind: str) -> str:
    return f"import:{kind}"


def stash_upload(
    request: HttpRequest, kind: str, *, data: bytes, filename: str, key: str, rows: int = 0
) -> None:
    drop_upload(request, kind)
    extension = PurePath(filename).suffix.lower()
    name = default_storage.save(f"imports/{uuid.uuid4().hex}{extension}", ContentFile(data))
    request.session[_session_key(kind)] = {"name": name, "filename": filename, "key": key, "rows": rows}


def pending_upload(request: HttpRequest, kind: str) -> tuple[tablib.Dataset, dict] | None:
    """The stashed file's rows and its details, or None when there is none (or it is gone)."""
    info = request.session.get(_session_key(kind))
    if not info or not default_storage.exists(info["name"]):
        return None
    with default_storage.open(info["name"], "rb") as handle:
        data = handle.read()
    return parse_file(data, PurePath(info["name"]).suffix.lower()), info


def drop_upload(request: HttpRequest, kind: str) -> None:
    info = request.session.pop(_session_key(kind), None) or {}
    for name in (info.get("name"), info.get("job") and _job_name(info["job"])):
        if name and default_storage.exists(name):
            default_storage.delete(name)


@dataclass
class ImportSpec:
    kind: str  # names the pending upload in the session and the template file
    resource_class: type[ScopedResource]
    title: str
    back_url: str
    help_text: str = ""


def _job_name(job: str) -> str:
    return f"imports/{job}.json"
