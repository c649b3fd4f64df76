"""The orders service: our own order records."""
