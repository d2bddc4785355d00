"""The only code that talks to outside systems: one module per system, each with its error table."""
