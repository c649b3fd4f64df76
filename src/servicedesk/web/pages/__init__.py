"""The console's pages, one module per area. Each module has a `router`; app.py includes them.

A page route takes `page: PageDep` (see servicedesk.web.page) and returns `page.render(...)`.
"""

from fastapi import APIRouter

from servicedesk.web.pages import (
    auth,
    boards,
    clients,
    home,
    incident_forms,
    incident_page,
    incidents,
    mentions,
    notification_settings,
    notification_stream,
    notifications,
    orders,
    problems,
    profile,
    watching,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    home.router,
    profile.router,
    incidents.router,
    incident_forms.router,  # /incidents/new before /incidents/{key}
    incident_page.router,
    problems.router,
    boards.router,
    clients.router,
    orders.router,
    notification_stream.router,  # /notifications/stream before /notifications/{id}/…
    notifications.router,
    notification_settings.router,
    watching.router,
    mentions.router,
)
