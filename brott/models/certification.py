"""The robbery-prevention certification register (Skydd mot rån i handeln)."""
