def load(stdout=None) -> None:
    """Filled in below."""
