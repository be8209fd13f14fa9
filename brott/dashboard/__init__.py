"""A council's landing page: each viewer's parts of it (services/dashboard)."""
