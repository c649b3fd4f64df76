"""Who may use the proxy: the same as for our clients and orders (roles are composite), since
the caller's own token is passed on to them. Service accounts read; `record-editor` (migration,
channels) creates and edits."""

from servicedesk.kernel.auth import roles_alias

ClientReader = roles_alias("agent", "service")
ClientWriter = roles_alias("agent", "record-editor")
ProgressReader = roles_alias("supervisor", "service")
