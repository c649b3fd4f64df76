"""Who may use the proxy: the same as for our clients and orders (roles are composite)."""

from servicedesk.kernel.auth import roles_alias

ClientReader = roles_alias("agent", "service")
ClientWriter = roles_alias("agent", "service")
ProgressReader = roles_alias("supervisor", "service")
