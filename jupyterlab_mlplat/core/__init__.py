"""The framework-free domain of the platform: what is true whatever serves, stores or deploys it."""
