"""Production settings plus one bare view, for the benchmark only (never deployed)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False}  # quiet under load
