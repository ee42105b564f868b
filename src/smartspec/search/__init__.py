"""Full-text project search with facets: normalised terms in an index table, FTS5 or PostgreSQL full text."""
