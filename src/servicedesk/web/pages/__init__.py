"""The console's pages, one module per area. Each module has a `router`; app.py includes them.

A page route takes `page: PageDep` (see servicedesk.web.page) and returns `page.render(...)`.
"""

from fastapi import APIRouter

from servicedesk.web.pages import auth, home, incidents

ROUTERS: tuple[APIRouter, ...] = (auth.router, home.router, incidents.router)
