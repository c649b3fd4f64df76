"""Operations tooling: local bootstrap helpers (Keycloak realm sync, ...)."""
