"""Background jobs: run outside any request, on a schedule."""
