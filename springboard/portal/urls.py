from django.urls import path

from springboard.portal.views import home

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
