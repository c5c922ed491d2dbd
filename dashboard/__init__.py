"""The Dash user interface: settings, store queries and one module per page under pages/."""
