"""Demo data for `hub demo` and the tests: a synthetic signal generator with planted clusters."""
