"""Files attached to incidents: checks of type and size, the byte store, the records."""
