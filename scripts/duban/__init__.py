"""duban: track a work plan's execution from YAML records to reports and a site."""

__version__ = "0.1.0"
