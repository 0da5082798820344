"""HTTP and WebSocket routes (framework-free: handlers are plain async functions)."""
