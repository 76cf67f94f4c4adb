"""Complaints (投诉): working-day deadlines, escalation to the operator and the street office, mediation,
public figures."""
