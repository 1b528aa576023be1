"""qihub: one platform for standards, metrology and conformity assessment."""

__version__ = "0.1.0"
