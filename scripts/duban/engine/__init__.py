"""engine: pure functions of (repository, as-of date) → states with reasons → figures and the weekly report."""
