"""Covenants: the data-sharing agreements that decide who sees which signal, how much, and why."""
