"""Small shared tools: encryption at rest, blind indexes, key files, pagination."""
