"""Settings of the legacy service (environment variables SD_LEGACY_*).

The initial fault knobs come from `SD_LEGACY_FAULTS__LATENCY_MS`, `…__JITTER_MS`,
`…__ERROR_RATE`, `…__ERROR_STATUSES` (JSON list), `…__HANG_RATE`, `…__HANG_MS`,
`…__OUTAGE`, `…__SEED`; `PUT /legacy/admin/faults` overrides them at run time.
"""

from pydantic import Field, SecretStr

from servicedesk.kernel.settings import (
    DatabaseSettings,
    KeycloakSettings,
    ServiceSettings,
    service_config,
)
from servicedesk.legacy.faults import FaultKnobs


class LegacySettings(ServiceSettings):
    model_config = service_config("legacy")

    db: DatabaseSettings = DatabaseSettings.local("legacy")
    keycloak: KeycloakSettings = KeycloakSettings.local("legacy")
    api_key: SecretStr = Field(
        SecretStr("local-legacy-api-key"), description="what callers send in X-Api-Key"
    )
    admin_key: SecretStr = Field(
        SecretStr("local-legacy-admin-key"), description="what the fault admin sends, X-Admin-Key"
    )
    faults: FaultKnobs = FaultKnobs()
    faults_redis_key: str = "sd:legacy:faults"
    faults_cache_s: float = Field(0.5, ge=0, le=1, description="how stale a replica's knobs get")
