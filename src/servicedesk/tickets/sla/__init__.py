"""The SLA clock of incidents: due times, pauses, and breaches flagged in the background."""
