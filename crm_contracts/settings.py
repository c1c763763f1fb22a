"""Settings, read from the environment (see README "Configuration").

Defaults give a zero-setup development machine: SQLite in var/, an embedded
file-system Celery broker, e-mail to the console. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real env vars win

DEBUG = env.bool("DEBUG", default=False)

# A development key exists only while DEBUG is on: a production process
# without its own key must not start with a key that is public on GitHub.
_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable, "
            "or DEBUG=1 for a development machine."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "simple_history",
    "axes",
    "csp",
    "core",
    "accounts",
    "relationships",
    "contracts",
    "finance",
    "dashboards",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside whitenoise, so static files carry the header too.
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.AdminContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm_contracts.urls"
WSGI_APPLICATION = "crm_contracts.wsgi.application"
ASGI_APPLICATION = "crm_contracts.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # E-signature keeps its templates in its own package (contracts/signing/),
        # which is part of the contracts app rather than an app of its own.
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "contracts" / "signing" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm_contracts.navigation.navigation",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compilation pays off for long analytic queries, not for pages: the
    # balance subqueries' high cost estimates made PostgreSQL spend 0.2-0.8 s
    # compiling queries that run in tens of ms (bench/results/explain-*.md).
    if not env.bool("PG_JIT", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (runserver's threads, the Celery worker) on the embedded
    # default: a transaction takes the write lock at BEGIN (IMMEDIATE) and waits up
    # to `timeout` seconds for it, instead of failing with "database is locked" when
    # its read lock cannot be upgraded; WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # Redis down means cache misses, not errors: nothing in the cache is needed
    # to serve a request (core/cache_backend.py).
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "crm",
            "RETRY_AFTER": env.int("CACHE_RETRY_SECONDS", default=30),
            # A black-holed host must not hold a request for the OS's connect timeout.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Records the cached figures (dashboards, ageing) are computed from: a save or
# delete of any of them invalidates every cached figure (core/cache.py).
FIGURES_SOURCE_MODELS = [
    "accounts.User",
    "accounts.Department",
    "relationships.Customer",
    "relationships.Contact",
    "relationships.Relationship",
    "relationships.CoachAssessment",
    "contracts.Deal",
    "contracts.DealTransition",
    "contracts.LineItem",
    "contracts.Milestone",
    "contracts.Concession",
    "contracts.ApprovalStep",
    "contracts.BuyingRole",
    "finance.Invoice",
    "finance.Payment",
    "finance.Allocation",
    "finance.WriteOff",
    "finance.CostEntry",
    "dashboards.SalesTarget",
]

# --- Accounts -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: five failures for one username from one address lock that
# pair out for 15 minutes; a successful login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client address for the lockout: the one rule in core/client_ip.py.
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time --------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise) ------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Deal attachments: larger uploads are refused (the web server should cap the
# request body at about the same size). Files are served only through views that
# check scope: never publish MEDIA_ROOT directly.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Imports with more rows than this run in a Celery worker behind a progress bar (docs/integrations.md).
IMPORT_FOREGROUND_ROWS = env.int("IMPORT_FOREGROUND_ROWS", default=200)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail -------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# Days before a due date when owners are alerted (plus the due day and when overdue).
ALERT_THRESHOLD_DAYS = sorted(env.list("ALERT_THRESHOLD_DAYS", cast=int, default=[7, 1]), reverse=True)
# A dismissed next move (contracts.next_moves) is not proposed again for this many days.
NEXT_MOVE_DISMISS_DAYS = env.int("NEXT_MOVE_DISMISS_DAYS", default=30)
# Days without an interaction after which a relationship at each stage is
# cooling: its owner is asked to confirm a one-step downgrade (docs/coverage.md).
RELATIONSHIP_COOLING_DAYS = {
    "acquaintance": env.int("RELATIONSHIP_COOLING_ACQUAINTANCE_DAYS", default=90),
    "meeting": env.int("RELATIONSHIP_COOLING_MEETING_DAYS", default=90),
    "trust": env.int("RELATIONSHIP_COOLING_TRUST_DAYS", default=60),
    "alliance": env.int("RELATIONSHIP_COOLING_ALLIANCE_DAYS", default=30),
}
COMPANY_NAME = env.str("COMPANY_NAME", default="Acme Industrial Solutions")  # our party on contracts
# `make run` passes its own address as MAKE_RUN_URL, so PORT=/HOST= reach the links too.
SITE_URL = env.str("SITE_URL", default=env.str("MAKE_RUN_URL", default="http://127.0.0.1:8000")).rstrip("/")
# Reverse proxies in front of the app, each appending the address it saw to
# X-Forwarded-For. 0: the socket address is the client's, and X-Forwarded-For is
# ignored (a client could forge it). Throttles, the login lockout and signing
# records all use it (core/client_ip.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("PROXY_COUNT", default=0))
# Before TRUSTED_PROXY_COUNT, e-signature alone read the last entry of this header.
_esign_header = env.str("ESIGN_CLIENT_IP_HEADER", default="")
if (
    _esign_header
    and not env.str("TRUSTED_PROXY_COUNT", default="")
    and not env.str("PROXY_COUNT", default="")
):
    if _esign_header != "HTTP_X_FORWARDED_FOR":
        raise ImproperlyConfigured(
            f"ESIGN_CLIENT_IP_HEADER={_esign_header} is no longer read. Have the proxy append the client "
            "address to X-Forwarded-For and set TRUSTED_PROXY_COUNT to the number of proxies instead."
        )
    TRUSTED_PROXY_COUNT = 1  # what the header meant: one proxy, the last entry
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CRM <crm@localhost>")
# A mail claimed by a worker that died mid-send is tried again after this long.
MAIL_CLAIM_TIMEOUT_MINUTES = env.int("MAIL_CLAIM_TIMEOUT_MINUTES", default=30)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A contract PDF pending this long with no render started has lost its task and
# is queued again (keep it above the render task's 5-minute time limit); after
# this many renders started without finishing it is marked failed.
PDF_RENDER_STUCK_MINUTES = env.int("PDF_RENDER_STUCK_MINUTES", default=10)
PDF_RENDER_MAX_ATTEMPTS = env.int("PDF_RENDER_MAX_ATTEMPTS", default=5)

# --- Security -----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Browser features no page uses are denied to every page and frame.
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default="accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), "
    "xr-spatial-tracking=()",
)

# Content security policy: only this origin's scripts, styles, fonts and
# images; no inline script or style attributes anywhere in the product.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- REST API -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every endpoint opts into what it allows.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.filtering.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.filtering.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "core.filtering.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="10/min")},
    # Unset, DRF keys throttles on the whole X-Forwarded-For a client sends: DRF's
    # rule with this count is the one in core/client_ip.py.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
# The OpenAPI schema (/api/schema/) and docs (/api/docs/): signed-in users only unless this is on.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM & Contracts API",
    "DESCRIPTION": "Customers, deals, contracts and money. Token or session authentication.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shared by several fields get one name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "RelationshipTypeEnum": "relationships.models.RelationshipType",
        "RelationshipStageEnum": "relationships.models.Stage",
        "WebhookDeliveryStatusEnum": "integrations.models.Delivery.Status",
        "DealStateEnum": "contracts.models.Deal.State",
        "AgeingBucketEnum": "finance.selectors.BUCKET_CODES",
        "FinanceDirectionEnum": "finance.models.Direction",
        "ConcessionKindEnum": "contracts.models.Concession.Kind",
        # A transition's name, wherever it appears (options, gate rules and overrides).
        "TransitionEnum": "contracts.selectors.TRANSITION_NAMES",
        # Influence, requirement priority, risk level and a competitor's threat share
        # high/medium/low: one component, under the name clients already know.
        "InfluenceEnum": "contracts.models.BuyingRole.Influence",
    },
}

# --- Celery -------------------------------------------------------------
# With REDIS_URL: Redis is broker and result backend (production, CI).
# Without: kombu's file-system transport in var/celery, so one machine runs
# web + worker + beat with nothing else installed.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A task taken by a worker that dies unacknowledged is redelivered after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
    # Give up on an unreachable result store within a second instead of ~20:
    # a web request may be the one queueing the task (see core/queue.py).
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
    }
else:
    for sub in ("queue", "processed", "results", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        # Otherwise kombu puts its control exchange in the working directory.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Results are kept only by tasks that say so (scans, ping): a task queued from a
# web request must not wait on, or subscribe to, the result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# Fixed in settings rather than django-celery-beat: schedules are code-reviewed
# and identical on every machine; nobody needs to edit them at run time.
CELERY_BEAT_SCHEDULE: dict = {
    "next-step-alerts": {"task": "relationships.tasks.next_step_alerts_task", "schedule": 30 * 60},
    "cooling-proposals": {"task": "relationships.tasks.cooling_proposals_task", "schedule": 24 * 3600},
    "milestone-alerts": {"task": "contracts.tasks.milestone_alerts_task", "schedule": 30 * 60},
    "renewal-alerts": {"task": "contracts.tasks.renewal_alerts_task", "schedule": 60 * 60},
    "signing-sweep": {"task": "contracts.tasks.signing_sweep_task", "schedule": 15 * 60},
    "contract-pdf-sweep": {"task": "contracts.tasks.contract_pdf_sweep_task", "schedule": 5 * 60},
    "mail-sweep": {"task": "accounts.tasks.outbound_mail_sweep_task", "schedule": 10 * 60},
    "import-uploads-cleanup": {
        "task": "core.tasks.import_uploads_cleanup_task",
        "schedule": 6 * 60 * 60,
    },
    "webhook-delivery-sweep": {"task": "integrations.tasks.webhook_delivery_sweep_task", "schedule": 60},
    "webhook-log-prune": {"task": "integrations.tasks.webhook_log_prune_task", "schedule": 24 * 3600},
    # Nightly, in this order: snapshot today's coverage, then refit the forecast on it.
    "coverage-snapshot": {
        "task": "contracts.tasks.coverage_snapshot_task",
        "schedule": crontab(hour=1, minute=10),
    },
    "forecast-refit": {"task": "contracts.tasks.forecast_refit_task", "schedule": crontab(hour=2, minute=0)},
    "invoice-alerts": {"task": "finance.tasks.invoice_overdue_alerts_task", "schedule": 60 * 60},
    "collection-sweep": {"task": "finance.tasks.collection_sweep_task", "schedule": 60 * 60},
}

# --- Webhooks (docs/integrations.md) ----------------------------------------
# Seconds to wait before each retry of a failed delivery; one try plus one per entry.
WEBHOOK_RETRY_DELAYS = env.list(
    "WEBHOOK_RETRY_DELAYS", cast=int, default=[60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600]
)
# An endpoint is disabled (and administrators told) after this many deliveries in a row gave up.
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=10)
# Plain http:// targets; https is required in production.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
# Private, loopback and link-local addresses are refused (SSRF) unless inside one of these CIDRs.
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = env.list("WEBHOOK_ALLOWED_PRIVATE_NETWORKS", default=[])
# Finished deliveries and their attempts are kept this long.
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", default=90)
# Certificates of https receivers are checked against the system's CAs, or this PEM bundle.
WEBHOOK_CA_BUNDLE = env.str("WEBHOOK_CA_BUNDLE", default="")
WEBHOOK_CONNECT_TIMEOUT = 3.0
WEBHOOK_TOTAL_TIMEOUT = 10.0

# --- Logging ------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
