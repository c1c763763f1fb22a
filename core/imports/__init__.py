"""Spreadsheet imports (CSV, XLSX) shared by every app.

The flow: the upload form reads the file into rows (`read_dataset`), the
app's resource (a django-import-export ModelResource built on
`ScopedResource`) runs every row through the app's services inside a
transaction that is rolled back (the preview), and the confirmation runs
the same file again and keeps the result only when no row has an error —
all rows or none. Between the two steps the file waits in the default
storage under a random name that only the uploader's session knows."""

from core.imports.jobs import (  # noqa: F401
    _job_write,  # noqa: F401 - tests write a job's state
    job_run,
    job_status,
)
from core.imports.pages import (  # noqa: F401
    import_page,
    stale_uploads_delete,
)
from core.imports.reading import (  # noqa: F401
    ACTION_LABELS,
    CSV_ENCODINGS,
    EXTENSIONS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_LINES,
    MAX_ROWS,
    MAX_TEXT_CHARS,
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    PROGRESS_EVERY,
    RATIO_CHECKED_FROM_BYTES,
    ImportForm,
    check_xlsx_container,
    decode_csv,
    parse_file,
    read_dataset,
)
from core.imports.resources import (  # noqa: F401
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    ImportMeta,
    ScopedResource,
    TextWidget,
    UserWidget,
    whole_number,
)
from core.imports.running import (  # noqa: F401
    ImportReport,
    RowReport,
    run_import,
)
from core.imports.uploads import (  # noqa: F401
    ImportSpec,
    drop_upload,
    pending_upload,
    stash_upload,
)
