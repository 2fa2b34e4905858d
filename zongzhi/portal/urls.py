from django.urls import path

from zongzhi.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("places/", views.hx_villages, name="hx_villages"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/rate/", views.rate, name="rate"),
]
