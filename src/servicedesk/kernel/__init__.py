"""The shared kernel: settings, logging, errors, auth, databases, events, health and metrics.

Every service builds on it; it depends on no service.
"""
