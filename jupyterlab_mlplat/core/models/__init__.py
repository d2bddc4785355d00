"""A person's registered models and versions, their lineage, and the model card."""
