from django.urls import path

from zongzhi.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_index, name="index"),
    path("locate/", views.region_locate, name="locate"),
    path("<str:code>/", views.region_detail, name="detail"),
]
