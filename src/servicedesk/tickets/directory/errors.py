"""How the directory fails: Keycloak unreachable or failing is a 503 with Retry-After."""

from __future__ import annotations

from servicedesk.kernel.errors import ServiceUnavailable


class DirectoryUnavailable(ServiceUnavailable):
    code, title = "directory-unavailable", "User directory unavailable"
