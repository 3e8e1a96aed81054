"""Settings for the test suite: the production settings with fast, local, deterministic parts.

Test-only switches live here and only here (TESTING, the test secret key): config/settings.py
reads nothing from the environment that could turn them on in production.
"""

import os
import tempfile
from pathlib import Path

# What the production settings require from the environment, given only while they load
# (so a manage.py run from a test, e.g. tests/test_security.py, does not inherit it).
_TEST_ENVIRONMENT = {
    "HTTPS": "0",
    "SECRET_KEY": "insecure-test-key-" + "x" * 40,
    "PORTAL_BASE_URL": "http://localhost:8000",
}
_added = {k: v for k, v in _TEST_ENVIRONMENT.items() if k not in os.environ}
os.environ.update(_added)
try:
    from config.settings import *  # noqa: F403
finally:
    for _name in _added:
        del os.environ[_name]

TESTING = True
LOGGING["loggers"]["django.server"]["level"] = "WARNING"  # noqa: F405
# A fast hasher: Argon2 is deliberately slow, and the suite creates many logins.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="springboard-test-media-"))
SERVE_MEDIA = True
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Tests see every change at once (tests/portal/test_booking_pages.py switches it on to test it).
CATALOG_PAGE_CACHE_SECONDS = 0
# The suite exercises the sandbox gateway (the production check is tested on its own).
ALLOW_SANDBOX_GATEWAY = True
