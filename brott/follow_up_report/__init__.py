"""The follow-up report of the promise over a period, as a page and as a PDF
(services/follow_up_report, services/follow_up_pdf)."""
