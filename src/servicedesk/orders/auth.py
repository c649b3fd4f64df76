"""Who may do what with orders. Roles are composite: supervisor and admin include agent."""

from servicedesk.kernel.auth import roles_alias

OrderReader = roles_alias("agent", "service")
OrderWriter = roles_alias("agent", "service")
OrderImporter = roles_alias("service", "admin")
