"""The tickets service: incidents, problems, workflows, comments and history."""
