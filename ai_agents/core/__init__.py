"""Pure domain: stdlib only, imports nothing of ours."""
