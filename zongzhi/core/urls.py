from django.urls import path

from zongzhi.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
