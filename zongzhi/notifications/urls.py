from django.urls import path

from zongzhi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("units/<int:pk>/", views.unit_webhook, name="unit_webhook"),
    path("units/<int:pk>/test/", views.unit_webhook_test, name="unit_webhook_test"),
]
