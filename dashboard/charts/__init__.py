"""Pure figure builders (DataFrame -> a figure as a plain dict; no Dash imports): one module per page, sharing
core.py."""
