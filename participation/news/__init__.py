"""News (actualités) and the newsletter (lettre d'information)."""
