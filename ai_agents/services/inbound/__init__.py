"""Inbound flow: a customer message accepted, routed and answered through the pipeline stages."""
