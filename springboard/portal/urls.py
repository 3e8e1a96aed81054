from django.urls import path

from springboard.portal import views

app_name = "portal"

# Every pattern sits under /<account>/ (config/urls.py); OrganizationMiddleware consumes it.
urlpatterns = [
    path("", views.splash, name="splash"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("news/", views.news_list, name="news"),
    path("news/<int:news_id>/", views.news_detail, name="news_detail"),
    path("staff/", views.staff_page, name="staff_page"),
    path("location/", views.choose_location, name="choose_location"),
]
