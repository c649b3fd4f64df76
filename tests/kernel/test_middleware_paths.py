"""The access log never carries a Telegram bot token that a Bot API path holds."""

from servicedesk.kernel.middleware import loggable_path


def test_bot_tokens_are_left_out_of_logged_paths() -> None:
    token = "7000000001:AAlocal-servicedesk-bot-token-00000"
    assert loggable_path(f"/bot{token}/sendMessage") == "/bot<token>/sendMessage"
    assert loggable_path(f"/file/bot{token}/photos/1.jpg") == "/file/bot<token>/photos/1.jpg"
    assert loggable_path("/api/v1/incidents/INC-000001") == "/api/v1/incidents/INC-000001"
    assert loggable_path("/channels/telegram/webhook") == "/channels/telegram/webhook"
