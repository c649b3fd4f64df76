"""Comments on incidents: public ones for the reporter, internal notes for agents."""
