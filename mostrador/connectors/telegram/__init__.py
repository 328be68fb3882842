"""A channel: its connector is in connector.py (registered when settings.MOSTRADOR_CONNECTORS lists this package)."""
