"""The authority's territory: its settings, communes, themes and departments."""
