"""Agents: the execution core, the supervisor and the specialised agents."""
