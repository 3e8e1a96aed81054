"""Settings for the test suite: the production settings with fast, local, deterministic parts."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SPRINGBOARD_TESTING", "1")
os.environ.setdefault("HTTPS", "0")

from config.settings import *  # noqa: E402,F403

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
