"""Reusable page pieces: shell (navbar, banner, footer), unit cards, share dialog."""
