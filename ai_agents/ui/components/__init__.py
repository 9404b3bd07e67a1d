"""Pieces shared by the pages: badges, cards, the login form, chat bubbles."""
