"""The console as browsers reach it: the web service on http://localhost:8000, the only address
the realm's redirect URIs (and its back-channel logout URL) allow, with the services behind it.

It is always a stack of the test session, on the tests' data (tests/support/isolation.py): the
web service on :8000, with tickets, clients, orders, migration, legacy and channels on ports
28001–28006, and the fakes of Telegram and the SMS gateways on 28081 and 28082 (logs in
test-artifacts/logs/), stopped at the end. A `./sd up` stack is never used: it serves
the demo data. When its web process holds :8000, it is stopped for the time of these tests
(`supervisorctl stop web`) and started again at the end, even when the session fails; the rest
of the `./sd up` stack keeps running. If the session is killed before that, `./sd up` (or
`.venv/bin/supervisorctl -c var/supervisord.conf start web`) brings it back. Two sessions take
turns: the second waits (up to 15 minutes) until the first has freed the ports.
"""

from __future__ import annotations

import asyncio
import atexit
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import aio_pika

from servicedesk.ops.catalogue import by_name
from tests.support.isolation import TEST_BROKER_URL
from tests.support.processes import ROOT, RunningService, start_service, stop, wait_ready

WEB_PORT = 8000
WEB_URL = f"http://localhost:{WEB_PORT}"
PORT_OFFSET = 20000  # tickets on 28001 …; test_stack.py uses 18000–18005
BACKENDS = (
    "clients",
    "orders",
    "legacy",
    "migration",
    "tickets",
    "telegram-fake",
    "sms-fake",
    "channels",
    "notifications",
)
# The local bot's token (the fake takes any well-formed one); its id is the number before ':'.
TELEGRAM_TOKEN = "7000000001:AAlocal-servicedesk-bot-token-00000"
TWILIO_AUTH_TOKEN = "local-twilio-auth-token"
SMSRU_CALLBACK_SECRET = "local-smsru-callback-secret"
SUPERVISOR_CONF = ROOT / "var" / "supervisord.conf"  # the `./sd up` stack's
WAIT_FOR_PORTS_S = 900  # at most, for another test session to end
SETTLE_S = 3
NOTIFICATIONS_QUEUE = "notifications.decide"
STARTUP_S = 180  # eleven processes start at once on two cores: imports alone take a while


@dataclass
class LiveStack:
    web_url: str
    tickets_url: str
    migration_url: str
    channels_url: str = ""
    telegram_fake_url: str = ""
    sms_fake_url: str = ""
    notifications_url: str = ""
    telegram_bot_id: int = int(TELEGRAM_TOKEN.split(":")[0])
    paused_demo_web: bool = False
    started: list[RunningService] = field(default_factory=list)

    def stop(self) -> None:
        for service in reversed(self.started):
            stop(service)
        self.started.clear()
        if self.paused_demo_web:
            self.paused_demo_web = False
            resume_demo_web()


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _url(name: str) -> str:
    return f"http://127.0.0.1:{by_name(name).port + PORT_OFFSET}"


def _supervisorctl(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(SUPERVISOR_CONF), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _demo_web_state() -> str | None:
    """The supervisord state of the `./sd up` stack's web process; None without that stack."""
    if not SUPERVISOR_CONF.exists():
        return None
    words = _supervisorctl("status", "web").stdout.split()
    return words[1] if len(words) > 1 else None


def _say(message: str) -> bool:
    """Past pytest's capture: a session waiting for ports must not look hung."""
    stream = sys.__stderr__
    if stream is not None:
        stream.write(f"\n[live stack] {message}\n")
        stream.flush()
    return True


def _ports() -> list[int]:
    return [WEB_PORT] + [by_name(name).port + PORT_OFFSET for name in BACKENDS]


def pause_demo_web(wait_s: float = WAIT_FOR_PORTS_S) -> bool:
    """Frees :8000 and 28001–28005 for this session; whether it stopped the `./sd up` stack's
    web process for that. While another test session holds them, waits for it to end."""
    deadline = time.monotonic() + wait_s
    paused = False
    said = False
    free_since: float | None = None
    while True:
        if _demo_web_state() in {"RUNNING", "STARTING", "BACKOFF"}:
            _supervisorctl("stop", "web")
            if not paused:
                atexit.register(resume_demo_web)
            paused = True
        busy = [port for port in _ports() if listening(port)]
        now = time.monotonic()
        if busy:
            if not said and now > deadline - wait_s + SETTLE_S:
                said = _say(
                    f"waiting for ports {busy} (another test session?), {wait_s:.0f}s at most"
                )
            free_since = None
        elif free_since is None:
            free_since = now  # another session that just ended may be starting the demo web
        elif now - free_since > SETTLE_S:
            return paused
        if now > deadline:
            if paused:
                resume_demo_web()
            raise RuntimeError(
                f"ports {busy} stay taken (another test session, or something else): the web"
                " tests need them (:8000 is the realm's redirect URI)"
            )
        time.sleep(0.5)


def resume_demo_web() -> None:
    """Starts the `./sd up` stack's web process again (when it is down; harmless else)."""
    if _demo_web_state() in {"STOPPED", "EXITED", "FATAL", "BACKOFF"}:
        _supervisorctl("start", "web")


def channels_environment() -> dict[str, str]:
    channels = _url("channels")
    return {
        "SD_CHANNELS_TICKETS_URL": _url("tickets"),
        "SD_CHANNELS_MIGRATION_URL": _url("migration"),
        "SD_CHANNELS_TELEGRAM__API_BASE": _url("telegram-fake"),
        "SD_CHANNELS_TELEGRAM__TOKEN": TELEGRAM_TOKEN,
        "SD_CHANNELS_TELEGRAM__WEBHOOK_URL": f"{channels}/channels/telegram/webhook",
        "SD_CHANNELS_SMSRU__BASE_URL": _url("sms-fake"),
        "SD_CHANNELS_TWILIO__BASE_URL": _url("sms-fake"),
        "SD_CHANNELS_TWILIO__AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "SD_CHANNELS_PUBLIC_URL": channels,
        "SD_CHANNELS_NEW_INCIDENTS_PER_HOUR": "3",
        # the tests' support mailbox comes with tests/support/isolation.py's environment
        "SD_CHANNELS_EMAIL__POLL_INTERVAL_S": "2",
    }


def notifications_environment() -> dict[str, str]:
    """Short digest windows; mail goes to the tests' own mailboxes (isolation.MAIL_TAG)."""
    return {
        "SD_NOTIFICATIONS_CHANNELS_URL": _url("channels"),
        "SD_NOTIFICATIONS_TICKETS_URL": _url("tickets"),
        "SD_NOTIFICATIONS_PUBLIC_URL": _url("notifications"),
        "SD_NOTIFICATIONS_CONSOLE_URL": WEB_URL,
        "SD_NOTIFICATIONS_DIGEST_IDLE_S": "3",
        "SD_NOTIFICATIONS_DIGEST_MAX_WAIT_S": "20",
        "SD_NOTIFICATIONS_DISPATCH_INTERVAL_S": "0.3",
        "SD_NOTIFICATIONS_RETRY_BASE_S": "1",
        "SD_NOTIFICATIONS_RETRY_MAX_S": "3",
        "SD_NOTIFICATIONS_DIRECTORY_REFRESH_S": "5",
        # The log holds every event the earlier tests made: the live tests start from now.
        "SD_NOTIFICATIONS_REPLAY_ON_FIRST_START": "false",
    }


async def forget_earlier_events() -> None:
    """Empties the notifications' queue of the tests' vhost: the events the tests before made
    (thousands) are not the live tests' business, and deciding them first would hold theirs
    back."""
    try:
        connection = await aio_pika.connect(TEST_BROKER_URL, timeout=10)
    except (OSError, aio_pika.exceptions.AMQPError):
        return
    async with connection:
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(NOTIFICATIONS_QUEUE, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return  # never declared: nothing to forget
        await queue.purge()


async def start_live_stack() -> LiveStack:
    await forget_earlier_events()
    paused = pause_demo_web()
    environments = {
        "migration": {
            "SD_MIGRATION_CLIENTS_URL": _url("clients"),
            "SD_MIGRATION_ORDERS_URL": _url("orders"),
            "SD_MIGRATION_LEGACY_URL": _url("legacy"),
        },
        "tickets": {"SD_TICKETS_MIGRATION_URL": _url("migration")},
        "channels": channels_environment(),
        "notifications": notifications_environment(),
        "sms-fake": {
            "SD_SMS_FAKE_SMSRU_CALLBACK_URL": (
                f"{_url('channels')}/channels/sms/smsru/callback?secret={SMSRU_CALLBACK_SECRET}"
            ),
            "SD_SMS_FAKE_TWILIO_INBOUND_URL": f"{_url('channels')}/channels/sms/twilio/inbound",
            "SD_SMS_FAKE_TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        },
    }
    stack = LiveStack(
        WEB_URL,
        _url("tickets"),
        _url("migration"),
        channels_url=_url("channels"),
        telegram_fake_url=_url("telegram-fake"),
        sms_fake_url=_url("sms-fake"),
        notifications_url=_url("notifications"),
        paused_demo_web=paused,
    )
    for name in BACKENDS:
        port = by_name(name).port + PORT_OFFSET
        stack.started.append(start_service(name, port, environments.get(name)))
    web_environment = {
        "SD_WEB_TICKETS_URL": stack.tickets_url,
        "SD_WEB_MIGRATION_URL": stack.migration_url,
        "SD_WEB_CHANNELS_URL": stack.channels_url,
        "SD_WEB_NOTIFICATIONS_URL": stack.notifications_url,
    }
    stack.started.append(start_service("web", WEB_PORT, web_environment))
    try:
        responses = await asyncio.gather(*(wait_ready(s, STARTUP_S) for s in stack.started))
    except BaseException:
        stack.stop()
        raise
    unready = [
        s.name for s, r in zip(stack.started, responses, strict=True) if r.status_code != 200
    ]
    if unready:
        stack.stop()
        raise RuntimeError(f"not ready: {unready} (logs in test-artifacts/logs/)")
    return stack
