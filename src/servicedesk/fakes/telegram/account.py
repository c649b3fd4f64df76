"""Bot API methods on the bot itself: who it is, how updates reach it, its command list."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from servicedesk.fakes.telegram.bots import Webhook
from servicedesk.fakes.telegram.chats import JsonObject
from servicedesk.fakes.telegram.errors import bad_request
from servicedesk.fakes.telegram.params import Method, MethodCall
from servicedesk.fakes.telegram.updates import take_updates

SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
DEFAULT_MAX_CONNECTIONS = 40
UPDATES_LIMIT = 100


async def get_me(call: MethodCall) -> JsonObject:
    return {
        **call.bot.as_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def set_webhook(call: MethodCall) -> bool:
    """Any http(s) URL on any port, as a local Bot API server allows; an empty URL removes it."""
    url = call.params.text("url") or ""
    if not url:
        await call.state.delete_webhook(call.bot)
        return True
    target = urlsplit(url)
    if target.scheme not in ("http", "https") or not target.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.params.text("secret_token") or None
    if secret is not None and not SECRET_TOKEN.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = call.params.integer("max_connections") or DEFAULT_MAX_CONNECTIONS
    allowed_updates = call.params.string_list("allowed_updates")
    if allowed_updates is not None:
        call.bot.allowed_updates = allowed_updates
    if call.params.boolean("drop_pending_updates"):
        call.bot.queue.clear()
    call.bot.last_error_date = call.bot.last_error_message = None
    webhook = Webhook(url, secret, min(max(max_connections, 1), 100))
    await call.state.set_webhook(call.bot, webhook)
    return True


async def delete_webhook(call: MethodCall) -> bool:
    if call.params.boolean("drop_pending_updates"):
        call.bot.queue.clear()
    await call.state.delete_webhook(call.bot)
    return True


async def get_webhook_info(call: MethodCall) -> JsonObject:
    bot = call.bot
    info: JsonObject = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.queue),
    }
    if bot.webhook is not None:
        info["max_connections"] = bot.webhook.max_connections
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
        if bot.last_error_date is not None:
            info["last_error_date"] = bot.last_error_date
            info["last_error_message"] = bot.last_error_message
    return info


async def get_updates(call: MethodCall) -> list[JsonObject]:
    allowed_updates = call.params.string_list("allowed_updates")
    if allowed_updates is not None:
        call.bot.allowed_updates = allowed_updates
    limit = call.params.integer("limit") or UPDATES_LIMIT
    timeout = call.params.integer("timeout") or 0
    return await take_updates(
        call.bot,
        offset=call.params.integer("offset"),
        limit=min(max(limit, 1), UPDATES_LIMIT),
        timeout_s=min(max(timeout, 0), call.settings.long_poll_cap_s),
        retention_s=call.settings.update_retention_s,
    )


def _commands_key(call: MethodCall) -> str:
    scope = call.params.structured("scope")
    scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
    return f"{scope_type}:{call.params.text('language_code') or ''}"


def _checked_commands(value: Any) -> list[JsonObject]:
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON array")
    commands = []
    for item in value:
        if not isinstance(item, dict) or not COMMAND.match(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": item["command"], "description": description})
    return commands


async def set_my_commands(call: MethodCall) -> bool:
    call.bot.commands[_commands_key(call)] = _checked_commands(call.params.structured("commands"))
    return True


async def get_my_commands(call: MethodCall) -> list[JsonObject]:
    return call.bot.commands.get(_commands_key(call), [])


async def delete_my_commands(call: MethodCall) -> bool:
    call.bot.commands.pop(_commands_key(call), None)
    return True


ACCOUNT_METHODS: dict[str, Method] = {
    "getme": get_me,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "getupdates": get_updates,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
}
