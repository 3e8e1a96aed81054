from django.urls import path

from springboard.portal.views import booking, home, parties

app_name = "portal"

# Every pattern sits under /<account>/ (config/urls.py); OrganizationMiddleware consumes it.
urlpatterns = [
    path("", home.splash, name="splash"),
    path("dashboard/", home.dashboard, name="dashboard"),
    path("news/", home.news_list, name="news"),
    path("news/<int:news_id>/", home.news_detail, name="news_detail"),
    path("staff/", home.staff_page, name="staff_page"),
    path("location/", home.choose_location, name="choose_location"),
]

# BOOKING (issue 4): the catalogue families browse.
urlpatterns += [
    path("booking/", booking.booking, name="booking"),
    path("booking/classes/", booking.classes, name="classes"),
    path("booking/classes/<int:course_id>/", booking.course_detail, name="course_detail"),
    path("booking/find-the-right-class/", booking.find_right_class, name="find_right_class"),
    path("booking/events/", booking.events, name="events"),
    path("booking/events/<int:event_id>/", booking.event_detail, name="event_detail"),
    path("booking/parties/", parties.parties, name="parties"),
    path("booking/parties/<int:package_id>/", parties.party_package, name="party_package"),
]
