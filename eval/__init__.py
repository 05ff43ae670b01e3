"""Evaluation: datasets, metrics, the peer baseline, reports and benchmarks."""
