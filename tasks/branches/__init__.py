"""Migrate a phase on its own git branch: worktree, gates, commit, PR body; many shards."""
