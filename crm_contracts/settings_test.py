"""Test settings: the real settings with a test key and fast hashing.

The database and broker still come from DATABASE_URL and REDIS_URL, so CI
runs the suite on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789abcdef")

from crm_contracts.settings import *  # noqa: E402, F403
from crm_contracts.settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Without Redis, tasks run in-process; with it, tests that need a worker start one.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "1000/min"}}  # noqa: F405
SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP; check --deploy covers HTTPS
STATIC_ROOT = None  # tests serve static files through the finders, never collectstatic
WHITENOISE_USE_FINDERS = True
