"""Springboard settings: everything from the environment, with production-safe defaults.

`make demo` sets DEBUG=1; the tests use config.test_settings. See README "Configuration".
"""

import ipaddress
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url_ok

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SPRINGBOARD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# True only in config.test_settings: no environment variable can switch it on here.
TESTING = False

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        # Only for the demo; production must set SECRET_KEY (the tests set their own).
        SECRET_KEY = "insecure-demo-key-" + "x" * 40  # noqa: S105
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local demo).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin: staff-entered texts in every language (docs/i18n.md)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "springboard.core",
    "springboard.tenancy",
    "springboard.families",
    "springboard.content",
    "springboard.catalog",
    "springboard.booking",
    "springboard.attendance",
    "springboard.billing",
    "springboard.billing.gateways.sandbox",
    "springboard.shop",
    "springboard.giftcards",
    "springboard.billing.gateways.stripe",
    "springboard.checkout",
    "springboard.tuition",
    "springboard.waitingroom",
    "springboard.api",
    "springboard.portal",
    "springboard.demo",
]

MIDDLEWARE = [
    "springboard.core.clock.ClockMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Above the waiting room's refresh, so its answers carry X-Frame-Options like every page.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The waiting page's refresh (cache only) answered here, before the session, locale,
    # CSRF, login, organization and family middleware it does not need (waitingroom/middleware.py).
    "springboard.waitingroom.middleware.StatusMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The organization, login and family lookups below in one shared-cache round trip.
    "springboard.portal.middleware.ReadAheadMiddleware",
    "springboard.tenancy.middleware.OrganizationMiddleware",
    "springboard.portal.middleware.FamilyMiddleware",
    "springboard.portal.busy.BusyMiddleware",
    "springboard.api.middleware.JsonMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "springboard.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (zero set-up), tuned for several writers: WAL, IMMEDIATE transactions so a
# writer takes the lock up front instead of failing mid-transaction, and a busy timeout.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
# The compiled reads of core.prepared are kept as prepared statements on PostgreSQL (parsed and
# planned once per connection). Switch off behind a connection pooler that cannot keep them
# (PgBouncer before 1.21 in transaction mode): docs/deployment.md.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "families.User"
AUTHENTICATION_BACKENDS = ["springboard.families.backends.ThrottledModelBackend"]
# Argon2id at OWASP's cost, bounded per worker; older hashes are upgraded at the next login.
# (No second "argon2" hasher: Django identifies a hash by its algorithm, and ours verifies
# every Argon2 hash whatever its parameters.) springboard/families/hashers.py.
PASSWORD_HASHERS = [
    "springboard.families.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Passwords hashed at once per worker process; a login that waits longer gets a 503.
# A booking whose seat lock is not granted in time (booking/locking.py: 3 s) answers 409 with
# Retry-After of this many seconds (portal/busy.py): browsers' scripts and the rush bench wait.
BOOKING_BUSY_RETRY_SECONDS = env_int("BOOKING_BUSY_RETRY_SECONDS", 2)
PASSWORD_HASHING_CONCURRENCY = env_int("PASSWORD_HASHING_CONCURRENCY", 1)
try:
    PASSWORD_HASHING_WAIT_SECONDS = float(env_str("PASSWORD_HASHING_WAIT_SECONDS", "1"))
except ValueError:
    raise ImproperlyConfigured("PASSWORD_HASHING_WAIT_SECONDS must be a number") from None
# "Keep me logged in" on the login page: the session lasts this long (else until the browser
# closes).
KEEP_LOGGED_IN_SECONDS = 14 * 24 * 3600
SESSION_COOKIE_AGE = KEEP_LOGGED_IN_SECONDS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Cache, client address and rate limits (docs/accounts.md) -------------------------------
# CACHE_URL (redis://host:6379/0) makes the cache shared by every worker: rate limits count
# across processes only then. Unset: each process has its own local memory (the demo).
CACHE_URL = env_str("CACHE_URL")
# With a shared cache, per-request lookups (organization, login, family and its policy gate)
# come from it, invalidated by versions (springboard/core/versions.py). Not with local memory.
SHARED_CACHE = bool(CACHE_URL)
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}")
    CACHES = {
        "default": {
            # Django's RedisCache reusing its redis client (springboard/core/redis_cache.py).
            "BACKEND": "springboard.core.redis_cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "springboard",
        }
    }
    # Sessions read from the shared cache (written through to the database): one query less
    # on every page (docs/performance.md). Not with local memory: a worker's copy would go
    # stale when another worker logs the session out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Addresses or networks of our reverse proxies: only from them is X-Forwarded-For believed.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES holds {_proxy!r}, which is not an IP address or network"
        ) from None
# The rate limits (springboard/core/ratelimits.py) count per client address as
# springboard.families.throttle finds it; a cache that does not answer skips them (logged).
RATELIMIT_ADDRESS = "springboard.families.ratelimits.limited_address"

# --- Background work ------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Links in email sent without a request (waitlist offers from housekeeping): required in
# production, where a localhost link would send families nowhere.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://localhost:8000" if DEBUG else "")
if not env_url_ok(PORTAL_BASE_URL):
    raise ImproperlyConfigured(
        "Set PORTAL_BASE_URL to the portal's address, e.g. https://portal.example.com "
        f"(or DEBUG=1 for a local demo); not {PORTAL_BASE_URL!r}."
    )

# The classes page caches its filter form this long (0: off, and no course cards cached);
# openings are never cached (docs/performance.md).
CATALOG_PAGE_CACHE_SECONDS = env_int("CATALOG_PAGE_CACHE_SECONDS", 30)

# --- Payments -----------------------------------------------------------------------------
# The gateway adapter (dotted path to a springboard.billing.gateways.base.Gateway subclass);
# empty: the built-in sandbox gateway (docs/billing.md).
PAYMENT_GATEWAY = env_str("PAYMENT_GATEWAY", "")
# Production refuses the sandbox (a system check) unless a staging site says so here; the
# sandbox's endpoint is mounted only with DEBUG, in the tests or with this set.
ALLOW_SANDBOX_GATEWAY = env_bool("ALLOW_SANDBOX_GATEWAY", False)
# Fernet key(s) (comma-separated, newest first: rotation) that encrypt each organization's
# processor secrets. Required in production once an organization uses Stripe; the demo and
# the tests derive one from SECRET_KEY.
GATEWAY_SECRETS_KEYS = env_list("GATEWAY_SECRETS_KEYS", [])
# Where the Stripe adapter and Stripe.js are reached (the tests point both at localstripe).
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_JS_URL = env_str("STRIPE_JS_URL", "https://js.stripe.com/v3/")
# Names this installation at Stripe when several share one Stripe account (a staging site,
# test runs against Stripe's test mode): it prefixes every Idempotency-Key (Stripe keeps
# them 24 hours: order-1-attempt-1 of two databases must not meet), tags every PaymentIntent
# and refund (metadata springboard_installation), and the webhook ignores the others' events.
STRIPE_INSTALLATION = env_str("STRIPE_INSTALLATION", "")

# --- Email ----------------------------------------------------------------------------------
# EMAIL=smtp (production), files (the demo: one file per message in EMAIL_FILE_PATH) or console.
EMAIL_MODE = env_str("EMAIL", "smtp")
MAIL_FOLDER = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
if EMAIL_MODE == "files":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": MAIL_FOLDER},
        }
    }
elif EMAIL_MODE == "console":
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
elif EMAIL_MODE == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER") or None,
                "password": env_str("EMAIL_HOST_PASSWORD") or None,
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            },
        }
    }
else:
    raise ImproperlyConfigured(f"EMAIL must be smtp, files or console, not {EMAIL_MODE!r}")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Springboard <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Staff-entered content (news, policies, portal texts, descriptions) may have a Spanish
# version; an empty one falls back to the main language (docs/i18n.md).
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# The MENU's switch (portal/views/language.py) keeps the visitor's choice for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are served by Django only in the demo and the tests; production serves
# MEDIA_ROOT from the reverse proxy (see README).
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "springboard.core.staticfiles.ManifestStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_IMAGE_UPLOAD_BYTES = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
CSRF_FAILURE_VIEW = "springboard.portal.views.home.csrf_failure"
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict policy: our own files and nonce-bearing tags only; no inline handlers, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Masks anything shaped like a card number, whatever logged it (docs/billing.md).
    "filters": {"redact_card_numbers": {"()": "springboard.core.logging.RedactCardNumbers"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": sys.stderr,
            "filters": ["redact_card_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING" if TESTING else "INFO"},
        # The stripe library logs every request's URL (PaymentMethod ids) at INFO.
        "stripe": {"level": "WARNING"},
    },
}
