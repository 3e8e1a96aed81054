"""Coming Up! lives in booking (springboard.booking.coming_up): the dashboard and the API's
schedule read the same list. Kept as a name here for the portal's imports."""

from springboard.booking.coming_up import DAYS, Upcoming, coming_up

__all__ = ["DAYS", "Upcoming", "coming_up"]
