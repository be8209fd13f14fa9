"""Pages about the service itself, open to everyone."""
