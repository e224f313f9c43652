"""The nightly trend report: aggregates only, small cells suppressed, stored and served."""
