"""The nightly job: re-link, purge, report and digests, each step in its own transaction."""
