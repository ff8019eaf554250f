"""工会经费 domain: pure rules (no nameko, SQLAlchemy, marshmallow or prometheus)."""
