"""Metrology."""
