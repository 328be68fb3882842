"""Cases: each episode of a long-lived conversation, with its metrics kept as things happen, and
the surveys that close it. A capability: it subscribes to the inbox core's hooks (apps.py)."""
