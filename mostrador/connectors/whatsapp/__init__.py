from .connector import WhatsAppConnector  # noqa: F401 - registers the channel
