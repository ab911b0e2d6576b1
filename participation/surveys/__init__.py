"""Questionnaires: build, answer, read the results, wave after wave."""
