"""People's accounts: sign-up, log-in, password reset, roles, "my data"."""
