"""The agenda citoyen: one calendar built from every domain's dated things."""
