"""Who may do what with clients. Roles are composite: supervisor and admin include agent."""

from servicedesk.kernel.auth import roles_alias

ClientReader = roles_alias("agent", "service")
ClientWriter = roles_alias("agent", "service")
ClientImporter = roles_alias("service", "admin")
