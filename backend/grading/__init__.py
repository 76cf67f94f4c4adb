"""Operator grading (RATING.md): ruleset publishing, the computation, results, runs, the public list."""
