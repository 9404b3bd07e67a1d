"""Benchmarks of the platform's components; run them with `python -m benchmarks.<name>`."""
