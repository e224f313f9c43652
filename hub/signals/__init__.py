"""Signals: barrier-tagged observations posted by partner agencies."""
