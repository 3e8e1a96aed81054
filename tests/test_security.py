"""The security baseline: deploy checks, a strict CSP, secure cookies, Argon2 by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_deploy_checks_pass_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SPRINGBOARD_", "DJANGO_", "HTTPS", "DEBUG"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        ALLOWED_HOSTS="portal.example.com",
        SECRET_KEY="k" * 20 + "-production-secret-" + "z9" * 20,
        SPRINGBOARD_VAR_DIR=str(tmp_path),
        CACHE_URL="redis://127.0.0.1:6379/0",  # production shares its cache (rate limits)
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPRINGBOARD_", "SECRET"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", SPRINGBOARD_VAR_DIR=str(tmp_path))
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
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
