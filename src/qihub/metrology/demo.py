def load(stdout=None) -> None:
    """Demo data for this domain (none yet)."""
