"""Pure rules of JiangXuan: no Flask, no SQLAlchemy. Each module is unit-tested alone."""
