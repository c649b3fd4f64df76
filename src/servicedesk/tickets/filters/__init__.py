"""Saved filters: a query with a name and a visibility scope."""
