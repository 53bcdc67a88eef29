"""Persistence: typed SQLAlchemy models, repositories and migrations. The only place queries are built."""
