# Invoices, payments, receivables and the four financial views arrive with the finance issue.
