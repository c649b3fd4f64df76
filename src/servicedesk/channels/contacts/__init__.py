"""Contacts, their identities on each channel, and binding a Telegram account to a realm user."""
