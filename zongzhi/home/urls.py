from django.urls import path

from zongzhi.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
