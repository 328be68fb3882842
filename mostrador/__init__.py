"""Mostrador: a self-hosted shared inbox that works from Pending, not from Unread."""
