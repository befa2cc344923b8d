"""Typer sub-applications of the ``baophu`` command, one module per capability; ``cli.py``
mounts each with ``app.add_typer``."""
