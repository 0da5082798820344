"""Shared test helpers: repositories, in-test plans, crash drivers, sample reports and the
detect shape tables. Fixtures live in tests/conftest.py."""
