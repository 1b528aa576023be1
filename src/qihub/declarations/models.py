"""Enterprise self-declarations."""
