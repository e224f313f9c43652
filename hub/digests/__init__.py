"""Per-partner nightly digests and their signed webhook delivery."""
