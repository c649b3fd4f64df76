"""Who may call the notifications service's API."""

from servicedesk.kernel.auth import Principal, roles_alias
from servicedesk.notifications.people import Person

# Any signed-in person of the realm reads their own notifications and sets their preferences.
RealmUser = roles_alias("reporter", "agent", "supervisor", "admin")
# Reading another person's delivery log.
DeliveryAuditor = roles_alias("admin", "supervisor")


def person_of(principal: Principal) -> Person:
    """The caller as a person, from their token (the directory may not know them yet)."""
    return Person(
        id=principal.subject,
        username=principal.username,
        name=principal.name or principal.username,
        email=principal.email,
        locale=None,
        roles=principal.roles,
    )
