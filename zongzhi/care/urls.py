from django.urls import path

from zongzhi.care.views import exports, files, keeping, transfers

app_name = "care"
urlpatterns = [
    # Files: the list, enrolment, the file page and what guards it (views/files.py).
    path("", files.file_index, name="index"),
    path("new/", files.file_new, name="new"),
    path("emergency/", files.emergency, name="emergency"),
    path("emergencies/", files.emergency_reviews, name="emergency_reviews"),
    # Transfers (views/transfers.py).
    path("transfers/", transfers.transfer_index, name="transfers"),
    path("transfers/report/", transfers.transfer_report, name="transfer_report"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer"),
    # Keeping a file: visits, assessments, plan, assistance, team, closing (views/keeping.py).
    path("visits/", keeping.visits_due, name="visits"),
    # Exports (views/exports.py).
    path("export/", exports.export_files, name="export"),
    path("<str:code>/", files.file_detail, name="detail"),
    path("<str:code>/purpose/", files.state_purpose, name="purpose"),
    path("<str:code>/identity/", files.reveal_identity, name="identity"),
    path("<str:code>/accesses/", files.access_log, name="access_log"),
    path("<str:code>/visit/", keeping.visit_new, name="visit"),
    path("<str:code>/assess/", keeping.assess, name="assess"),
    path("<str:code>/plan/", keeping.plan_add, name="plan_add"),
    path("<str:code>/plan/<int:pk>/done/", keeping.plan_done, name="plan_done"),
    path("<str:code>/assistance/", keeping.assistance_add, name="assist"),
    path("<str:code>/team/", keeping.team, name="team"),
    path("<str:code>/close/", keeping.close, name="close"),
    path("<str:code>/transfer/", transfers.transfer_new, name="transfer_new"),
]
