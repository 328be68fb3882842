from django.urls import path

from . import views

urlpatterns = [
    path("", views.board_page, name="quotes-board"),
    path("board", views.board, name="quotes-board-fragment"),
    path("ui/<int:quote_id>/move", views.move, name="quotes-move"),
    path("ui/<int:quote_id>/send", views.send, name="quotes-send"),
    path("ui/new/<int:conversation_id>", views.create, name="quotes-new"),
]
