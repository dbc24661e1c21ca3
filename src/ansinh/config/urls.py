from django.contrib import admin
from django.urls import include, path

from ansinh.api.urls import api
from ansinh.config.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("ansinh.web.urls")),
]
