"""The browser UI (Reflex): pages, layout and thin State classes over the services."""
