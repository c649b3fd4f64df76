"""Who may do what with orders. Roles are composite: supervisor and admin include agent.

Service accounts (realm role `service`) read; those that also hold `record-editor` (migration,
channels) create; only `record-importer` (migration) imports in bulk.
"""

from servicedesk.kernel.auth import roles_alias

OrderReader = roles_alias("agent", "service")
OrderWriter = roles_alias("agent", "record-editor")
OrderImporter = roles_alias("admin", "record-importer")
