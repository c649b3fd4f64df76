"""The services of the stack, their local ports and whether they own a database schema."""

from __future__ import annotations

import os
from dataclasses import dataclass

from servicedesk.kernel.settings import DATABASE_ENV


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    name: str
    port: int
    owns_schema: bool
    summary: str
    workers: int = 1
    module: str = ""  # the package holding `app:create_app`; servicedesk.<name> when empty
    scraped: bool = True  # Prometheus scrapes its /metrics

    @property
    def app_factory(self) -> str:
        return f"{self.module or 'servicedesk.' + self.name}.app:create_app"

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def runtime_role(self) -> str:
        return self.name

    @property
    def owner_role(self) -> str:
        return f"{self.name}_owner"


SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("web", 8000, False, "browser console (OIDC sign-in)"),
    ServiceInfo("tickets", 8001, True, "incidents, problems, workflows", workers=2),
    ServiceInfo("clients", 8002, True, "client records", workers=2),
    ServiceInfo("orders", 8003, True, "order records", workers=2),
    ServiceInfo("migration", 8004, True, "proxy over legacy and our clients/orders", workers=2),
    ServiceInfo("legacy", 8005, True, "simulator of the external Clients/Orders system"),
    ServiceInfo(
        "channels", 8006, True, "Telegram and SMS intake, conversations, outbound messages"
    ),
    ServiceInfo(
        "notifications",
        8007,
        True,
        "who hears of which change: in-app bell and live stream, mail, Telegram, SMS",
    ),
    ServiceInfo(
        "telegram-fake",
        8081,
        False,
        "local Telegram Bot API (a fake speaking its protocol) with a chat page",
        module="servicedesk.fakes.telegram",
        scraped=False,
    ),
    ServiceInfo(
        "sms-fake",
        8082,
        False,
        "local SMS gateways (SMS.ru and Twilio-style fakes) with a phone page",
        module="servicedesk.fakes.sms",
        scraped=False,
    ),
)

SCHEMA_SERVICES = tuple(s for s in SERVICES if s.owns_schema)
DEMO_DATABASE = "servicedesk"  # what `./sd up` provisions, seeds and serves
TEST_DATABASE = "servicedesk_test"  # what `./sd test` provisions; the tests set SD_DATABASE to it
DATABASE = os.environ.get(DATABASE_ENV, DEMO_DATABASE)


def local_password(role: str) -> str:
    """Local development passwords; production passes DSNs through the environment."""
    return f"local-{role}"


def by_name(name: str) -> ServiceInfo:
    for service in SERVICES:
        if service.name == name:
            return service
    raise KeyError(name)
