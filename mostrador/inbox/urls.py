from django.urls import path

from . import inbox_pages, media, views

urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("c/<int:conversation_id>", views.inbox_page, name="conversation"),
    path("new/", views.new_conversation, name="new-conversation"),
    path("ui/list", views.list_pane, name="ui-list"),
    path("ui/list/more", views.list_more, name="ui-list-more"),
    path("ui/counters", views.counters, name="ui-counters"),
    path("ui/c/<int:conversation_id>", views.conversation_pane, name="ui-conversation"),
    path("ui/c/<int:conversation_id>/seen", views.seen, name="ui-seen"),
    path("ui/c/<int:conversation_id>/reply", views.reply, name="ui-reply"),
    path("ui/c/<int:conversation_id>/note", views.note, name="ui-note"),
    path("ui/c/<int:conversation_id>/resolve", views.resolve, name="ui-resolve"),
    path("ui/c/<int:conversation_id>/reopen", views.reopen, name="ui-reopen"),
    path("ui/c/<int:conversation_id>/ai", views.toggle_ai, name="ui-ai"),
    path("ui/c/<int:conversation_id>/assign", views.assign, name="ui-assign"),
    path("ui/c/<int:conversation_id>/transfer", views.transfer, name="ui-transfer"),
    path("ui/c/<int:conversation_id>/priority", views.priority, name="ui-priority"),
    path("ui/c/<int:conversation_id>/team", views.team, name="ui-team"),
    path("ui/c/<int:conversation_id>/tags", views.tags, name="ui-tags"),
    path("ui/c/<int:conversation_id>/contact", views.contact, name="ui-contact"),
    path("ui/c/<int:conversation_id>/m/<int:message_id>/retry", views.retry, name="ui-retry"),
    path("ui/c/<int:conversation_id>/templates/sync", views.sync_templates, name="ui-sync-templates"),
    path("media/<int:message_id>", media.serve, name="media"),
    path("channels/new/<str:channel>/", inbox_pages.new_inbox, name="inbox-new"),
    path("channels/<int:inbox_id>/", inbox_pages.edit_inbox, name="inbox-edit"),
    path("channels/<int:inbox_id>/tokens", inbox_pages.integration_tokens, name="inbox-integration-tokens"),
    path("simulator/", views.simulator, name="simulator"),
    path("simulator/send", views.simulator_send, name="simulator-send"),
    path("simulator/thread", views.simulator_thread, name="simulator-thread"),
]
