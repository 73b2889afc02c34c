"""Languages: the shipped languages, choosing one per request, texts per language and their formatting."""
