# Customers, contacts, org charts, buying roles and coverage arrive with the relationships issue.
