"""The legacy service: a simulator of the external Clients/Orders system."""
