"""Demo scenarios for ``python -m jiceng demo``: each module returns text; only the CLI prints it."""

__all__: list[str] = []
