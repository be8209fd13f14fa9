"""Residents' reports as staff handle them: the queues, a report's page, its changes,
the setup."""
