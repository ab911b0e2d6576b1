"""Events (ateliers, forums citoyens, réunions publiques) and their registrations."""
