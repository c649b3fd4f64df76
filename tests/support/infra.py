"""Addresses of the real infrastructure the bootstrap started (the tests' own database, Redis
db and vhost: see isolation.py), and admin access to it."""

from __future__ import annotations

import asyncio
import subprocess

import asyncpg

from tests.support.isolation import TEST_BROKER_URL, TEST_DATABASE, TEST_REDIS_URL

PRIMARY_PORT = 5432
STANDBY_PORT = 5433
ADMIN = "servicedesk_admin"
ADMIN_PASSWORD = "local-servicedesk_admin"
DATABASE = TEST_DATABASE  # never the demo's `servicedesk` (see isolation.py)
REDIS_URL = TEST_REDIS_URL
BROKER_URL = TEST_BROKER_URL
KEYCLOAK_URL = "http://localhost:8080"
ISSUER = f"{KEYCLOAK_URL}/realms/servicedesk"


def admin_url(port: int = PRIMARY_PORT, driver: str = "postgresql") -> str:
    return f"{driver}://{ADMIN}:{ADMIN_PASSWORD}@127.0.0.1:{port}/{DATABASE}"


async def admin_connection(port: int = PRIMARY_PORT) -> asyncpg.Connection:
    return await asyncpg.connect(admin_url(port))


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


async def broker_app(running: bool) -> None:
    """Stops or starts the RabbitMQ application: its AMQP listener goes away and comes back."""
    if running:
        await asyncio.to_thread(rabbitmqctl, "start_app")
        await asyncio.to_thread(rabbitmqctl, "await_startup", "--timeout", "60")
    else:
        await asyncio.to_thread(rabbitmqctl, "stop_app")
