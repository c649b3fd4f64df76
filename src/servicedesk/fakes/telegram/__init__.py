"""A fake Telegram Bot API server for the local stack and the tests.

It speaks the Bot API over real HTTP (`/bot{token}/{method}`, `/file/bot{token}/{path}`), keeps
bots, chats, files and updates in memory, delivers updates to a webhook or through getUpdates,
and lets a person (or a test) act through the control API under `/control` and the chat page
at `/`.
"""
