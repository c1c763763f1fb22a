"""Test settings: the real settings with a test key and fast hashing.

The database and broker still come from DATABASE_URL and REDIS_URL, so CI
runs the suite on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789abcdef")

from crm_contracts.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("TEST_EMAIL_FILE_PATH"):  # a worker process started by the tests writes mail here
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["TEST_EMAIL_FILE_PATH"]
# Tasks run in-process, except in tests that ask for a real worker (the
# `celery_worker` fixture), which send them through Redis.
CELERY_TASK_ALWAYS_EAGER = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "1000/min"}}  # noqa: F405
SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP; check --deploy covers HTTPS
STATIC_ROOT = None  # tests serve static files through the finders, never collectstatic
WHITENOISE_USE_FINDERS = True
AXES_ENABLED = False  # tests log in with force_login; the lockout test turns it on
# Webhook tests deliver to a receiver on loopback over plain http (also from a
# real worker process, which reads these settings too).
WEBHOOK_ALLOW_HTTP = True
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
