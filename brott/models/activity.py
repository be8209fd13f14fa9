"""Activity logs of the measures whose work is a stream of events (issue: measure tools)."""
