from django.urls import path

from springboard.waitingroom import views

app_name = "waitingroom"

urlpatterns = [path("<str:ticket>/", views.status, name="status")]
