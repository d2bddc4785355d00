"""The hub's people as the admin console shows them: read-only, changed in the hub."""
