"""The OpenAI-compatible adapter behind the services ChatModel port."""
