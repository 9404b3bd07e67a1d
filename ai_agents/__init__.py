"""AI Agents: AI customer-service agents over WhatsApp, Telegram and Instagram."""
