"""Retention: signals past the retention of the covenants they were shared under are purged."""
