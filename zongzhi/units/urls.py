from django.urls import path

from zongzhi.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_index, name="index"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
]
