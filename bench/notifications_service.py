"""The notifications service as the burst runs it: its own process on the tests' data and the
bench realm, what it costs (memory, CPU), and who else consumes its queue.

The process is started as supervisord and the tests start services (uvicorn with the
service's workers, metrics in a folder of files), on port 38007, with the tests' database,
Redis db 1 and RabbitMQ vhost (tests/support/isolation.py), the realm `servicedesk-bench`, no
catch-up from the events log, and mail to the local Postfix under the recipient tag `sdbench`
(mailboxes `<user>+sdbench@example.com`, never a demo or a test mailbox). Telegram, SMS and
escalation notes go to an address where nothing listens: those dispatches are retried with
backoff, as when the channels service is down. Its log: test-artifacts/logs/bench-notifications.log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
from aio_pika.abc import AbstractChannel
from tests.support.isolation import ENVIRONMENT, ROOT, TEST_BROKER_URL
from tests.support.processes import RunningService, stop, wait_ready

from bench.notifications_people import REALM
from servicedesk.kernel.settings import KeycloakSettings
from servicedesk.notifications.consumer import QUEUE
from servicedesk.ops.catalogue import by_name
from servicedesk.ops.processes import service_command

PORT = 38007
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing answers there
ARTIFACTS = ROOT / "test-artifacts"
LOG_PATH = ARTIFACTS / "logs" / "bench-notifications.log"
METRICS = ARTIFACTS / "metrics" / "bench-notifications"
MAIL_TAG = "sdbench"
MAIL_BOXES = ROOT / "var" / "mail" / "boxes" / "example.com"
TICKS = os.sysconf("SC_CLK_TCK")


def environment(dispatch: bool) -> dict[str, str]:
    client = KeycloakSettings.local("notifications")
    settings = {
        # A nested group set in part replaces the whole group (its defaults are not merged),
        # so the client's id and secret go along with the realm.
        "SD_NOTIFICATIONS_KEYCLOAK__REALM": REALM,
        "SD_NOTIFICATIONS_KEYCLOAK__CLIENT_ID": client.client_id,
        "SD_NOTIFICATIONS_KEYCLOAK__CLIENT_SECRET": client.client_secret.get_secret_value(),
        "SD_NOTIFICATIONS_REPLAY_ON_FIRST_START": "false",
        "SD_NOTIFICATIONS_MAIL__SMTP_PORT": "2525",
        "SD_NOTIFICATIONS_MAIL__RECIPIENT_TAG": MAIL_TAG,
        "SD_NOTIFICATIONS_CHANNELS_URL": UNREACHABLE,
        "SD_NOTIFICATIONS_TICKETS_URL": UNREACHABLE,
        "SD_NOTIFICATIONS_PUBLIC_URL": f"http://127.0.0.1:{PORT}",
    }
    if not dispatch:  # decisions only: the dispatcher looks once at start, then sleeps a day
        settings["SD_NOTIFICATIONS_DISPATCH_INTERVAL_S"] = "86400"
    return os.environ | ENVIRONMENT | {"PROMETHEUS_MULTIPROC_DIR": str(METRICS)} | settings


def start(dispatch: bool, profile: Path | None) -> RunningService:
    """Starts the service; under cProfile (written when it stops) with `profile`."""
    shutil.rmtree(METRICS, ignore_errors=True)
    METRICS.mkdir(parents=True)
    LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
    command = service_command(by_name("notifications"), ROOT, PORT)
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    with LOG_PATH.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own service's command line
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment(dispatch),
            start_new_session=True,
        )
    return RunningService("notifications", PORT, LOG_PATH, process)


async def start_ready(dispatch: bool, profile: Path | None) -> RunningService:
    service = start(dispatch, profile)
    response = await wait_ready(service, timeout_s=90)
    if response.status_code != 200:
        stop(service)
        raise RuntimeError(f"notifications not ready: {response.text} (log: {LOG_PATH})")
    return service


def stop_service(service: RunningService, profiled: bool) -> None:
    """Stops the service. Profiled, with SIGINT: uvicorn raises the signal again once it has
    shut down, and only SIGINT (KeyboardInterrupt) lets cProfile write its file."""
    if profiled:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=120)
    stop(service)


# --- what the process costs --------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's workers, when there are several)."""
    found = [pid]
    for known in found:
        for task in Path(f"/proc/{known}/task").glob("*"):
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


def rss_bytes(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process and its descendants so far."""
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Watch:
    """Samples the service's memory and its queue's consumers while the burst runs."""

    pid: int
    channel: AbstractChannel
    peak_rss: int = 0
    max_consumers: int = 0
    samples: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def run(self, every_s: float = 0.5) -> None:
        while True:
            self.peak_rss = max(self.peak_rss, rss_bytes(self.pid))
            _, consumers = await queue_state(self.channel)
            self.max_consumers = max(self.max_consumers, consumers)
            self.samples += 1
            await asyncio.sleep(every_s)

    def __enter__(self) -> Watch:
        self.task = asyncio.create_task(self.run())
        return self

    def __exit__(self, *_: object) -> None:
        if self.task is not None:
            self.task.cancel()


# --- the queue ---------------------------------------------------------------------------------


async def queue_state(channel: AbstractChannel) -> tuple[int, int]:
    """Messages ready in the notifications' queue, and its consumers."""
    queue = await channel.declare_queue(QUEUE, passive=True)
    result = queue.declaration_result
    return int(result.message_count or 0), int(result.consumer_count or 0)


async def wait_for_no_consumer(wait_s: float) -> int:
    """Waits until nobody consumes the tests' notifications queue (a live test stack does
    while it runs); the messages left in it, which the bench's service will take."""
    connection = await aio_pika.connect(TEST_BROKER_URL)
    try:
        channel = await connection.channel()
        deadline = time.monotonic() + wait_s
        said = False
        while True:
            messages, consumers = await queue_state(channel)
            if consumers == 0:
                return messages
            if time.monotonic() > deadline:
                raise RuntimeError(f"{QUEUE} keeps {consumers} consumer(s): a test stack runs")
            if not said:
                print(f"  {QUEUE} has {consumers} consumer(s); waiting for them to go", flush=True)
                said = True
            await asyncio.sleep(2)
    finally:
        await connection.close()


# --- mail --------------------------------------------------------------------------------------


def bench_mailboxes() -> list[Path]:
    return sorted(MAIL_BOXES.glob(f"nb-*+{MAIL_TAG}"))


def count_mail() -> int:
    return sum(
        len(list((box / "Maildir" / sub).glob("*")))
        for box in bench_mailboxes()
        for sub in ("new", "cur")
    )


def delete_mail() -> int:
    boxes = bench_mailboxes()
    for box in boxes:
        shutil.rmtree(box, ignore_errors=True)
    return len(boxes)
