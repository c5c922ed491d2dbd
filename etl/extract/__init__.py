"""Report text -> candidate figures: sentences, numbers, periods, places and kinds (see figures.extract)."""
