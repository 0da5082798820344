"""The application: agents, services, routes, background jobs and tools over one WebSocket layer."""
