"""One module per publisher's format: extract() keeps the raw file, transform() gives common records."""
