"""Coming Up! and the family's schedule live in attendance (springboard.attendance.coming_up):
they need the absences and makeups, and the dashboard, the API's schedule and the calendar
feed read the same list. Kept as names here for the portal's imports."""

from springboard.attendance.coming_up import DAYS, Upcoming, coming_up, family_schedule

__all__ = ["DAYS", "Upcoming", "coming_up", "family_schedule"]
