"""Machine-readable standards."""
