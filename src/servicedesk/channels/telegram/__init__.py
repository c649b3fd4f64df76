"""Telegram: the webhook (or polling), what updates become, and sending through the Bot API."""
