"""The read-only JSON API (/api/v1) and the account page of its personal tokens."""
