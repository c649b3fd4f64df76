"""Use cases that span domains: each runs the services of several domains in one transaction."""
