"""Residents' reports as staff handle them: the queues, a report's page and its changes, the setup."""
