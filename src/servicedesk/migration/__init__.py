"""The migration service: a proxy that moves legacy clients and orders into ours on use."""
