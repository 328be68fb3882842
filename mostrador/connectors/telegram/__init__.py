from .connector import TelegramConnector  # noqa: F401 - registers the channel
