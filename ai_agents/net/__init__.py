"""HTTP plumbing shared by the channel adapters and the LLM adapter."""
