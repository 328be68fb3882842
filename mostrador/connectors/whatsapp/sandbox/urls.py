from django.urls import path

from . import graph, phone

urlpatterns = [
    path("graph/<str:version>/<str:phone_number_id>/messages", graph.messages, name="sandbox-graph-messages"),
    path("graph/<str:version>/<str:phone_number_id>/media", graph.upload_media, name="sandbox-graph-media"),
    path("graph/<str:version>/<str:account_id>/message_templates", graph.message_templates, name="sandbox-graph-templates"),
    path("graph/media-download/<str:media_id>", graph.download, name="sandbox-media-download"),
    path("graph/<str:version>/<str:node_id>", graph.node, name="sandbox-graph-node"),
    path("phone/", phone.phone, name="sandbox-phone"),
    path("phone/thread", phone.thread, name="sandbox-phone-thread"),
    path("phone/send", phone.send, name="sandbox-phone-send"),
    path("phone/media/<str:media_id>", phone.media, name="sandbox-phone-media"),
]
