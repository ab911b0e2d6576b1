"""Site-wide pages: home, legal notice, privacy register, accessibility statement, health check."""
