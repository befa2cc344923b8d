"""baophu: coverage of social, health and unemployment insurance for a Vietnamese province."""

__version__ = "0.1.0"
