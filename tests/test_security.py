"""The security baseline: deploy checks, a strict CSP, secure cookies, Argon2 by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


PRODUCTION_SECRET = "k" * 20 + "-production-secret-" + "z9" * 20


def _manage(tmp_path, *args, **env_updates):
    """manage.py with the production settings and only the environment given here."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("SPRINGBOARD_", "DJANGO_", "HTTPS", "DEBUG", "SECRET", "PORTAL_BASE_URL")
        )
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", SPRINGBOARD_VAR_DIR=str(tmp_path))
    env.update(env_updates)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_checks_pass_with_production_settings(tmp_path):
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ALLOWED_HOSTS="portal.example.com",
        SECRET_KEY=PRODUCTION_SECRET,
        PORTAL_BASE_URL="https://portal.example.com",
        CACHE_URL="redis://127.0.0.1:6379/0",  # production shares its cache (rate limits)
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("base_url", [None, "", "localhost:8000", "portal.example.com"])
def test_production_refuses_to_start_without_the_portals_address(tmp_path, base_url):
    extra = {} if base_url is None else {"PORTAL_BASE_URL": base_url}
    result = _manage(tmp_path, "check", SECRET_KEY=PRODUCTION_SECRET, **extra)
    assert result.returncode != 0
    assert "Set PORTAL_BASE_URL" in result.stderr


def test_the_demo_still_starts_without_the_portals_address(tmp_path):
    result = _manage(tmp_path, "check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_the_testing_switch_in_the_environment_changes_nothing_in_production(tmp_path):
    # Once SPRINGBOARD_TESTING=1 let production start with the published demo key.
    result = _manage(
        tmp_path, "check", SPRINGBOARD_TESTING="1", PORTAL_BASE_URL="https://portal.example.com"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    shown = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TESTING, settings.SECRET_KEY[:8])",
        SPRINGBOARD_TESTING="1",
        SECRET_KEY=PRODUCTION_SECRET,
        PORTAL_BASE_URL="https://portal.example.com",
    )
    assert shown.stdout.split()[-2:] == ["False", PRODUCTION_SECRET[:8]], shown.stderr


@pytest.mark.django_db
def test_load_demo_refuses_to_run_without_debug(settings):
    from django.core.management import CommandError, call_command

    from springboard.tenancy.models import Organization

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("load_demo")
    assert not Organization.objects.exists()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage(tmp_path, "check", PORTAL_BASE_URL="https://portal.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client, org):
    response = client.get("/acme/")
    policy = response["Content-Security-Policy"]
    assert "'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html  # the brand-colour style block
    assert " onclick=" not in html and ' style="' not in html


def test_passwords_are_hashed_with_argon2_outside_the_tests():
    from config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.PASSWORD_HASHERS != production.PASSWORD_HASHERS  # fast in tests
