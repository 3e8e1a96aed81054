from tests.booking.conftest import clock, family, logged_in  # noqa: F401
