"""Reading the audit log: filters, pages and the CSV export of the admin console."""
