"""Grants to associations: associations, calls, applications (CERFA 12156*06), instruction,
decision, convention, payments, financial report (CERFA 15059*02), open data (SCDL subventions)."""
