from django.urls import path

from . import screens

urlpatterns = [
    path("", screens.reports_page, name="reports"),
    path("export/<str:kind>.csv", screens.export_csv, name="reports-export"),
    path("csv/<str:name>", screens.report_csv, name="reports-csv"),
    path("monitor/", screens.monitor_page, name="reports-monitor"),
    path("ui/monitor", screens.monitor_fragment, name="reports-monitor-fragment"),
    path("ui/monitor/transfer/<int:conversation_id>", screens.monitor_transfer, name="reports-monitor-transfer"),
    path("now/", screens.busy_page, name="reports-busy"),
    path("ui/now", screens.busy_fragment, name="reports-busy-fragment"),
    path("inboxes/<int:inbox_id>/wait-target", screens.apply_wait_target, name="reports-apply-wait-target"),
]
