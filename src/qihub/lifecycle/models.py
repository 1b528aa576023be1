"""Standard lifecycle."""
