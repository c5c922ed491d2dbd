"""Pure figure builders (DataFrame -> go.Figure, no Dash imports): one module per page, sharing core.py."""
