"""Use cases of the platform; API routes and UI state call these."""
