"""ETL: read publishers' files, normalise them into one observation schema, load them with provenance."""
