"""The channels service: conversations with people outside the console (Telegram, SMS)."""
