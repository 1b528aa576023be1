def load(stdout=None) -> None:
    """Demo standards (filled in below)."""
