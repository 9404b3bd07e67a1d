"""Persistence: all tables in models.py, the engine in session.py, queries beside them."""
