"""Custom libcst codemods, one per module; each module's name is its id in phases.toml."""
