"""The web service's application factory, run by uvicorn with --factory."""

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.web.settings import WebSettings


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    return create_service_app(
        ServiceSpec(
            name="web",
            title="servicedesk web console",
            settings=settings,
            keycloak=settings.keycloak,
            uses_broker=False,
        )
    )
