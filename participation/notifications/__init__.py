"""In-app notices."""
