"""Incidents' threads on the channels: what happens to an incident is told in its thread."""
