"""Barrier Hub: signals across the barrier model, shared under covenants."""

__version__ = "0.1.0"
API_VERSION = "1.0.0"
