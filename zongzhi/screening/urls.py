from django.urls import path

from zongzhi.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.index, name="index"),
    path("compliance/", views.compliance, name="compliance"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/finding/", views.report_hx_finding, name="report_hx_finding"),
]
