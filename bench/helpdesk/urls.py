"""helpdesk under /helpdesk/, as its installation docs suggest, and the admin it links to."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("helpdesk/", include("helpdesk.urls")),
]
