"""The register of participatory processes (/demarches/), the charte de la participation and the bilan annuel (/bilans/)."""
