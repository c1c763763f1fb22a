"""Production settings for the benchmark server, with one difference: static
files are stored without the manifest, because `collectstatic` with the
manifest storage stops at vendor/chartjs/chart.umd.min.js, which names a
source map that is not vendored (a bug of its own, outside the benchmark)."""

from crm_contracts.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
