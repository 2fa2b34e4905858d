from django.urls import path

from zongzhi.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_index, name="index"),
    path("new/", views.case_new, name="new"),
    path("supervision/", views.supervision, name="supervision"),
    path("<str:code>/", views.case_detail, name="detail"),
    path("<str:code>/do/<str:key>/", views.case_step, name="step"),
    path("<str:code>/files/<int:pk>/", views.attachment_file, name="attachment"),
    path(
        "<str:code>/files/<int:pk>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    path("<str:code>/receipt.pdf", views.receipt_file, name="receipt"),
    path("<str:code>/rejection-notice.pdf", views.rejection_notice_file, name="rejection_notice"),
    path(
        "<str:code>/agreements/<int:pk>.<str:fmt>",
        views.agreement_file,
        name="agreement",
    ),
]
