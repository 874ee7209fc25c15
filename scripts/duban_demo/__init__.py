"""Demonstration and benchmark data for duban: synthetic records, marked ``synthetic: true``.

Not part of the engine: it writes example records the way an office would, so
that the site and the benchmarks have something realistic to show.
"""
