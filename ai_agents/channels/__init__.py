"""Channel adapters, one shape (base.py), listed in registry.py."""
