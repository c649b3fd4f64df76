"""Who may do what with clients. Roles are composite: supervisor and admin include agent.

Service accounts (realm role `service`) read; those that also hold `record-editor` (migration,
channels) create and edit; only `record-importer` (migration) imports in bulk.
"""

from servicedesk.kernel.auth import roles_alias

ClientReader = roles_alias("agent", "service")
ClientWriter = roles_alias("agent", "record-editor")
ClientImporter = roles_alias("admin", "record-importer")
