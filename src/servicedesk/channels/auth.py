"""Who may call the channels service's API."""

from servicedesk.kernel.auth import roles_alias

# Another service sending a message (notifications), or an administrator reading deliveries.
MessageSender = roles_alias("service", "admin")
MessageReader = roles_alias("service", "admin", "supervisor")
# Any signed-in person of the realm manages their own identities.
RealmUser = roles_alias("reporter", "agent", "supervisor", "admin")
