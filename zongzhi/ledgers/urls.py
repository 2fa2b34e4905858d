from django.urls import path

from zongzhi.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_ledger, name="import"),
    path("import/template.xlsx", views.import_template, name="template"),
    path("import/cases/", views.import_cases, name="import_cases"),
]
