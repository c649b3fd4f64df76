"""Who may do what in the tickets service. Roles are composite: admin > supervisor > agent."""

from servicedesk.kernel.auth import roles_alias

DirectoryReader = roles_alias("agent", "service")
