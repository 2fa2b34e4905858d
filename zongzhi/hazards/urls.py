from django.urls import path

from zongzhi.hazards import views

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_index, name="index"),
    path("new/", views.hazard_new, name="new"),
    path("new/units/", views.hx_units, name="units"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/do/<str:key>/", views.hazard_step, name="step"),
]
