"""The only way the UI reads the store: one module per page, sharing core.py; each returns DataFrames."""
