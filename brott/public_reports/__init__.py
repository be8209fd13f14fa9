"""The public pages of residents' reports: the report form, safety marks, "me too" and
the tracking page."""
