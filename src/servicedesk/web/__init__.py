"""The web service: the browser console and its backend-for-frontend (OIDC sign-in)."""
