"""The Telegram sandbox: a fake Bot API served by this same process, and a chat page where a
newcomer writes to a demo bot as a Telegram user would, with no Telegram account."""
