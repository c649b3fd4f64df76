"""Settings: environment variables per service; local secrets refused in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from servicedesk.clients.settings import ClientsSettings
from servicedesk.notifications.settings import NotificationsSettings


def test_local_defaults_work_for_local_runs() -> None:
    settings = ClientsSettings()
    assert settings.keycloak.client_id == "servicedesk-clients"
    assert "5433" in settings.db.standby_url.get_secret_value()  # type: ignore[union-attr]


def test_production_refuses_local_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SD_CLIENTS_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="local development secrets refused"):
        ClientsSettings()


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SD_CLIENTS_ENVIRONMENT", "production")
    monkeypatch.setenv("SD_CLIENTS_DB__PRIMARY_URL", "postgresql+asyncpg://clients:s3cr3t@db/sd")
    monkeypatch.setenv("SD_CLIENTS_DB__STANDBY_URL", "postgresql+asyncpg://clients:s3cr3t@ro/sd")
    monkeypatch.setenv("SD_CLIENTS_KEYCLOAK__CLIENT_ID", "servicedesk-clients")
    monkeypatch.setenv("SD_CLIENTS_KEYCLOAK__CLIENT_SECRET", "from-the-vault")
    monkeypatch.setenv("SD_CLIENTS_BROKER__URL", "amqp://sd:pw@mq/servicedesk")
    monkeypatch.setenv("SD_CLIENTS_CURSOR_SECRET", "also-from-the-vault")
    settings = ClientsSettings()
    assert settings.db.primary_url.get_secret_value().endswith("@db/sd")


def test_one_nested_variable_changes_that_field_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SD_NOTIFICATIONS_KEYCLOAK__REALM", "servicedesk-other")
    monkeypatch.setenv("SD_NOTIFICATIONS_MAIL__SMTP_PORT", "2626")
    settings = NotificationsSettings()
    assert settings.keycloak.realm == "servicedesk-other"
    assert settings.keycloak.client_id == "servicedesk-notifications"
    assert settings.keycloak.client_secret.get_secret_value().endswith("notifications-secret")
    assert settings.mail.smtp_port == 2626
    assert settings.mail.imap_port == NotificationsSettings().mail.imap_port
