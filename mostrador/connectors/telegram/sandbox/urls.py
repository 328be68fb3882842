from django.urls import path

from . import bot_api, chat

# Mounted under /sandbox/ when the installation runs the sandboxes (MOSTRADOR_SANDBOX).
urlpatterns = [
    path("telegram/bot<str:token>/<str:name>", bot_api.method, name="tg-sandbox-bot-api"),
    path("telegram/file/bot<str:token>/<path:path>", bot_api.download, name="tg-sandbox-file"),
    path("telegram/", chat.chat, name="tg-sandbox-chat"),
    path("telegram/thread", chat.thread, name="tg-sandbox-thread"),
    path("telegram/send", chat.send, name="tg-sandbox-send"),
    path("telegram/media/<str:file_id>", chat.media, name="tg-sandbox-media"),
]
