"""The tickets service's application factory, run by uvicorn with --factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.calls import ClientCredentials
from servicedesk.kernel.service_client import ServiceClient
from servicedesk.kernel.state import kernel_state, set_service_state
from servicedesk.tickets.attachments.router import router as attachments_router
from servicedesk.tickets.attachments.store import LocalDirectoryStore
from servicedesk.tickets.boards.router import router as boards_router
from servicedesk.tickets.catalogue.router import router as catalogue_router
from servicedesk.tickets.comments.router import router as comments_router
from servicedesk.tickets.db import outbox
from servicedesk.tickets.desk import Desk
from servicedesk.tickets.directory.repository import KeycloakDirectory
from servicedesk.tickets.directory.router import router as directory_router
from servicedesk.tickets.filters.router import router as filters_router
from servicedesk.tickets.incidents.router import router as incidents_router
from servicedesk.tickets.policy import PolicyDefinitionError, TicketPolicy, load_policy
from servicedesk.tickets.problems.router import router as problems_router
from servicedesk.tickets.query.router import router as query_router
from servicedesk.tickets.references import MigrationProxyReferences
from servicedesk.tickets.settings import TicketsSettings
from servicedesk.tickets.sla.watch import watch_sla
from servicedesk.tickets.state import TicketsState, tickets_state
from servicedesk.tickets.workflow import Workflow, WorkflowDefinitionError, load_workflows

Hook = Callable[[FastAPI], Awaitable[None]]


def _open_desk(
    settings: TicketsSettings, policy: TicketPolicy, workflows: dict[str, Workflow]
) -> Hook:
    async def open_desk(app: FastAPI) -> None:
        kernel = kernel_state(app)
        credentials = ClientCredentials(settings.keycloak, kernel.http)
        proxy = ServiceClient("migration", settings.migration_url, auth=credentials)
        references = MigrationProxyReferences(proxy, settings.reference_deadline_s)
        directory = KeycloakDirectory(kernel.http, settings.keycloak, kernel.redis)
        watch = watch_sla(kernel.require_database(), policy, settings.sla_check_interval_s)
        state = TicketsState(
            desk=Desk(policy, workflows, references, directory),
            directory=directory,
            attachment_store=LocalDirectoryStore(settings.attachments_dir),
            attachment_max_bytes=settings.attachment_max_bytes,
            migration=proxy,
            sla_watch=asyncio.create_task(watch, name="sla-watch"),
        )
        set_service_state(app, state)

    return open_desk


async def _close_desk(app: FastAPI) -> None:
    state = tickets_state(app)
    state.sla_watch.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await state.sla_watch
    await state.migration.aclose()


class DefinitionsError(ValueError):
    """The policy or the workflows are invalid: every problem of both, named."""


def load_definitions(settings: TicketsSettings) -> tuple[TicketPolicy, dict[str, Workflow]]:
    errors: list[ValueError] = []
    policy = workflows = None
    try:
        policy = load_policy(settings.policy_file)
    except PolicyDefinitionError as error:
        errors.append(error)
    try:
        workflows = load_workflows(settings.workflows_dir)
    except WorkflowDefinitionError as error:
        errors.append(error)
    if len(errors) == 1:
        raise errors[0]
    if policy is None or workflows is None:
        raise DefinitionsError("the tickets service cannot start:\n" + "\n".join(map(str, errors)))
    return policy, workflows


def create_app(settings: TicketsSettings | None = None) -> FastAPI:
    """Refuses to start, naming every problem, when the policy or a workflow is invalid."""
    settings = settings or TicketsSettings()
    policy, workflows = load_definitions(settings)
    return create_service_app(
        ServiceSpec(
            name="tickets",
            title="servicedesk tickets: incidents, problems, workflows, comments and history",
            settings=settings,
            keycloak=settings.keycloak,
            database=settings.db,
            outbox=outbox,
            routers=[
                incidents_router,
                comments_router,
                attachments_router,
                problems_router,
                catalogue_router,
                directory_router,
                query_router,
                filters_router,
                boards_router,
            ],
            on_startup=[
                _open_desk(settings, policy, workflows),
            ],
            on_shutdown=[_close_desk],
        )
    )
