import os
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.tasks import import_uploads_cleanup_task


def test_abandoned_import_uploads_are_deleted_after_a_day(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = default_storage.save("imports/old.csv", ContentFile(b"a,b\n"))
    fresh = default_storage.save("imports/fresh.csv", ContentFile(b"a,b\n"))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))

    assert import_uploads_cleanup_task() == 1
    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)


def test_cleanup_without_any_upload_yet(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "empty"
    assert import_uploads_cleanup_task() == 0
