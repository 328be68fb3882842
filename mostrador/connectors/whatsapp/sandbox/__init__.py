"""The offline WhatsApp sandbox: a fake Graph API that speaks Meta's documented wire format, and a
customer phone page. An inbox whose graph_api_url points here runs the real WhatsApp code path
(signed webhooks, media lookups, templates, delivery statuses) with no Meta account."""
