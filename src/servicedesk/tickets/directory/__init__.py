"""The user and group directory (Keycloak): who can be assigned work."""
