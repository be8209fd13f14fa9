"""Spreadsheet exports of what a member may read (services/exports)."""
