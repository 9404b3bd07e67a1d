"""Outbound flow: the outbox and its dispatcher, send budget, broadcasts, follow-ups, alert delivery."""
