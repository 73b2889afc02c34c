"""Surveys: the builder, answering once in any language, releases of results and community results."""
