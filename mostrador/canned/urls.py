from django.urls import path

from . import screens

urlpatterns = [
    path("", screens.page, name="canned-page"),
    path("<int:canned_id>/", screens.page, name="canned-edit"),
    path("<int:canned_id>/delete", screens.delete, name="canned-delete"),
    path("export.csv", screens.export_csv, name="canned-export"),
    path("import", screens.import_csv, name="canned-import"),
    path("ui/c/<int:conversation_id>", screens.offers, name="canned-offers"),
]
