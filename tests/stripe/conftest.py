from tests.booking.conftest import clock, family, logged_in  # noqa: F401
from tests.stripe_server import stripe_org, stripe_server, stripe_settings  # noqa: F401
