"""Barrier model vocabulary: the five barriers and their indicators."""
