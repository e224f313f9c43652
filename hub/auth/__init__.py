"""OAuth2 client credentials: clients, signing keys, the token endpoint, bearer checks."""
