from django.urls import path

from zongzhi.briefings import views

app_name = "briefings"
urlpatterns = [
    path("", views.briefing_index, name="index"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
]
