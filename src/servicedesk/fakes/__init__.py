"""Fakes of outside systems that speak their real protocols over HTTP, for the local stack."""
