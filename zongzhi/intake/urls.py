from django.urls import path

from zongzhi.intake import views

app_name = "intake"
urlpatterns = [
    path("check/", views.hx_check, name="check"),
    path("models/", views.versions, name="versions"),
]
