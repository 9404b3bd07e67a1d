"""Use cases, one package per flow (inbound, outbound, workspace) over what they share here."""
