"""Settings admins change live: each a trait by default, a stored value overriding it."""
