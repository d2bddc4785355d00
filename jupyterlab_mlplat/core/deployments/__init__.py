"""Deployments: model versions served, split, shadowed, rolled back and watched."""
