"""The open data catalogue (/opendata/): every dataset the domains publish, for people and for harvesters."""
