"""The reader's report: figures, texts in three languages, the offline HTML page."""
