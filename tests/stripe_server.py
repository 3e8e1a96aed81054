"""A real Stripe-compatible server for the tests: localstripe (PyPI), started once per test
session (per xdist worker) on a free local port, and the adapter pointed at it through
STRIPE_API_BASE. Nothing else needs starting: CI gets it from this fixture.

To run the same tests against Stripe's test mode instead, set STRIPE_TEST_SECRET_KEY and
STRIPE_TEST_PUBLISHABLE_KEY (your own test keys): the fixture then starts nothing, talks to
api.stripe.com, makes cards from Stripe's test tokens (`tok_visa`, …), and names the run
with a fresh STRIPE_INSTALLATION so its idempotency keys and intents never meet an earlier
run's (docs/billing.md, "Against Stripe's test mode"). What only localstripe can do (answer
the 3-D Secure dialog without a browser, type into its stand-in fields) is skipped there."""

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass

import pytest
import stripe

TEST_SECRET = os.environ.get("STRIPE_TEST_SECRET_KEY", "")
TEST_PUBLISHABLE = os.environ.get("STRIPE_TEST_PUBLISHABLE_KEY", "")
WEBHOOK_SECRET = "whsec_springboard_tests_0123456789"

# The test cards (https://docs.stripe.com/testing), and Stripe's own test methods for them.
VISA = "4242424242424242"
DECLINED = "4000000000000341"  # attaches, then every charge is declined
INSUFFICIENT_FUNDS = "4000000000009995"  # localstripe declines it already when it is set up
NEEDS_AUTHENTICATION = "4000002760003184"  # 3-D Secure on every payment
TEST_TOKENS = {
    VISA: "tok_visa",
    DECLINED: "tok_chargeCustomerFail",
    INSUFFICIENT_FUNDS: "tok_chargeDeclinedInsufficientFunds",
    NEEDS_AUTHENTICATION: "tok_threeDSecure2Required",
}


@dataclass(frozen=True)
class StripeServer:
    api_base: str
    js_url: str
    secret_key: str
    publishable_key: str
    local: bool
    installation: str = ""  # STRIPE_INSTALLATION for this run (Stripe's test mode only)

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(self.secret_key, base_addresses={"api": self.api_base})

    def card(self, number: str = VISA) -> str:
        """A PaymentMethod id, as Stripe.js hands it to the page after the family typed the
        number into Stripe's fields (localstripe: the same POST its Stripe.js makes)."""
        card = (
            {"number": number, "exp_month": 12, "exp_year": 2099, "cvc": "123"}
            if self.local
            else {"token": TEST_TOKENS[number]}  # Stripe refuses raw numbers from servers
        )
        return self.client().v1.payment_methods.create({"type": "card", "card": card}).id

    def intents_for(self, key: str) -> list:
        """This run's PaymentIntents made under our key (metadata springboard_key)."""
        return [
            intent
            for intent in self.client().v1.payment_intents.list({"limit": 100}).data
            if intent.to_dict()["metadata"].get("springboard_key") == key
            and intent.to_dict()["metadata"].get("springboard_installation", "")
            == self.installation
        ]

    def authenticate(self, client_secret: str, *, success: bool = True) -> None:
        """The family answers its bank's 3-D Secure check: what localstripe's Stripe.js
        stand-in posts when its "Complete"/"Fail authentication" button is pressed. Stripe's
        test mode has no API for it (its check is a page in Stripe.js's frame)."""
        if not self.local:
            pytest.skip("3-D Secure is answered in Stripe.js's frame in Stripe's test mode")
        intent = client_secret.partition("_secret_")[0]
        request = urllib.request.Request(
            f"{self.api_base}/v1/payment_intents/{intent}/_authenticate"
            f"?success={'true' if success else 'false'}",
            data=json.dumps({"key": self.publishable_key, "client_secret": client_secret}).encode(),
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stripe_server():
    if TEST_SECRET:
        yield StripeServer(
            "https://api.stripe.com",
            "https://js.stripe.com/v3/",
            TEST_SECRET,
            TEST_PUBLISHABLE,
            False,
            f"tests-{uuid.uuid4().hex[:12]}",
        )
        return
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.2)
        yield StripeServer(
            base, f"{base}/js.stripe.com/v3/", "sk_test_springboard", "pk_test_springboard", True
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def stripe_settings(settings, stripe_server):
    """The adapter pointed at the server, under an installation name of this test's own: the
    server outlives the test's database, whose ids (SQLite reuses them after a rollback) would
    otherwise name another test's intents and meet their idempotency keys."""
    server = dataclasses.replace(
        stripe_server,
        installation=f"{stripe_server.installation or 'tests'}-{uuid.uuid4().hex[:8]}",
    )
    settings.STRIPE_API_BASE = server.api_base
    settings.STRIPE_JS_URL = server.js_url
    settings.STRIPE_INSTALLATION = server.installation
    return server


def connect_to_stripe(org, server: StripeServer):
    """The organization's owner connected it to Stripe (what the admin form saves)."""
    from springboard.billing.gateways.stripe.models import GatewayKind, GatewaySettings

    config = GatewaySettings(
        organization=org, gateway=GatewayKind.STRIPE, publishable_key=server.publishable_key
    )
    config.set_secrets(secret_key=server.secret_key, webhook_secret=WEBHOOK_SECRET)
    config.save()
    return config


@pytest.fixture
def stripe_org(org, stripe_settings):
    connect_to_stripe(org, stripe_settings)
    return org
