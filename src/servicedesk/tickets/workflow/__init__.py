"""Declarative ticket workflows: definitions read from YAML and the checks of a transition."""
