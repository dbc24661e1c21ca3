from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy

from ansinh.api.urls import api
from ansinh.config.health import healthz, readyz
from ansinh.config.metrics import metrics

# the admin in Vietnamese (issue 13 #10), not Django's default "Trang quản trị cho Django"
admin.site.site_header = admin.site.site_title = gettext_lazy("ansinh — quản trị")
admin.site.index_title = gettext_lazy("Quản trị hệ thống")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("ansinh.web.urls")),
]
