"""Authorization tokens binding a WebSocket manager to one user context."""
