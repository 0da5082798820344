"""Split a phase into reviewable shards: CODEOWNERS, directory groups, phases.toml."""
