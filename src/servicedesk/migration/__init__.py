"""The migration service: the proxy that moves legacy clients and orders into ours as they are used."""
