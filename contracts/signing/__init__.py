"""E-signature by link, whole in one package: who signs what (models), the signing flow
and its audit trail (services), the public signing pages (views, urls, forms, templates)."""
