"""The catalog: what is published, its versions, the alias history, and search over it."""
