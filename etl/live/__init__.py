"""Live fetchers: UNHCR's population API, HDX, IDMC's GIDD API and IOM DTM's API, loaded through the offline ETL."""
