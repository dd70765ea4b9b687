"""Pure domain code: no Flask, no database session, no git."""
