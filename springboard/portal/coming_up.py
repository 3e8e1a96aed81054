"""Coming Up! lives in attendance (springboard.attendance.coming_up): it needs the absences
and makeups, and the dashboard, the API's schedule and the calendar feed read the same list.
Kept as a name here for the portal's imports."""

from springboard.attendance.coming_up import DAYS, Upcoming, coming_up

__all__ = ["DAYS", "Upcoming", "coming_up"]
