# The deal state machine, terms, templates and approvals arrive with the contracts issue.
