"""Incidents: registration, reads and edits, the people on them, and their events."""
