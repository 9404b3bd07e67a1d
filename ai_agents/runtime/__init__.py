"""The one wiring point: builds the context and starts and stops the live parts."""
