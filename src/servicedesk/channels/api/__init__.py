"""The HTTP API of the channels service for people (their identities) and services (messages)."""
