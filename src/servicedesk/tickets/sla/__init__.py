"""The SLA clock of incidents: due times, pauses, and warnings and breaches flagged in the
background."""
