"""Indicators of a measure and their dated values (issue: measure tools)."""
