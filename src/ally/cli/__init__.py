"""The command-line shell: thin Typer commands over the core services."""
