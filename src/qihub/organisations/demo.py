"""Demo organisations and networks (filled in by the organisations demo)."""


def load(stdout=None) -> None:
    return None
