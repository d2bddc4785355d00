"""API keys: how external systems call deployments and read the catalog."""
