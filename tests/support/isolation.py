"""Where the tests keep their data: apart from the demo stack that `./sd up` runs.

`./sd up` serves and seeds the database `servicedesk`, Redis db 0 and the RabbitMQ vhost
`servicedesk`. The tests use the database `servicedesk_test` (same clusters, same roles, its own
schemas: `./sd test` provisions and migrates it), Redis db 1, the vhost `servicedesk_test`, and
files under test-artifacts/. `tests/conftest.py` puts `ENVIRONMENT` into `os.environ` before
anything of `servicedesk` is imported (service settings read it at import time), so the apps the
tests run in-process and the service processes they start (which inherit the environment) all
use these.

No import of `servicedesk` here, on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE = "servicedesk_test"
DEMO_DATABASE = "servicedesk"
TEST_REDIS_URL = "redis://127.0.0.1:6379/1"
TEST_VHOST = "servicedesk_test"
TEST_BROKER_URL = f"amqp://servicedesk:local-broker@127.0.0.1:5672/{TEST_VHOST}"
TEST_ATTACHMENTS = ROOT / "test-artifacts" / "attachments"
SERVICES = (
    "web",
    "tickets",
    "clients",
    "orders",
    "migration",
    "legacy",
    "channels",
    "notifications",
)
MAIL_TAG = "sdtest"  # the tests' mail goes to <name>+sdtest@<domain>: never a demo inbox
# The tests' support mailbox: the channels read it, never the demo's support@servicedesk.local.
TEST_SUPPORT_MAILBOX = f"support+{MAIL_TAG}@servicedesk.local"


def _environment() -> dict[str, str]:
    environment = {
        "SD_DATABASE": TEST_DATABASE,
        "SD_TICKETS_ATTACHMENTS_DIR": str(TEST_ATTACHMENTS),
        "SD_NOTIFICATIONS_MAIL__RECIPIENT_TAG": MAIL_TAG,
        "SD_CHANNELS_EMAIL__MAILBOXES": json.dumps([TEST_SUPPORT_MAILBOX]),
        "SD_CHANNELS_EMAIL__MAIL__FROM_ADDRESS": TEST_SUPPORT_MAILBOX,
        "SD_CHANNELS_EMAIL__MAIL__RECIPIENT_TAG": MAIL_TAG,
    }
    for service in SERVICES:
        prefix = f"SD_{service.upper()}_"
        environment[f"{prefix}REDIS__URL"] = TEST_REDIS_URL
        environment[f"{prefix}BROKER__URL"] = TEST_BROKER_URL
    # The kernel's bare `ServiceSettings()` (kernel tests) has no prefix: its fields as JSON.
    environment["REDIS"] = json.dumps({"url": TEST_REDIS_URL})
    environment["BROKER"] = json.dumps({"url": TEST_BROKER_URL})
    return environment


ENVIRONMENT = _environment()
