"""Deterministic, calibrated, messy demo data for a street (or a district): `generate(out)`."""

from pipelines.generator.run import generate

__all__ = ["generate"]
