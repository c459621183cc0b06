"""Seed data for the local stack: a simulated support day of Japanese tweets with ground truth."""

from infra.seed.tweets import DEFAULT_MIX, KINDS, RELEVANT_KINDS, SeedDay, SeedMix, Truth, generate_day

__all__ = ["DEFAULT_MIX", "KINDS", "RELEVANT_KINDS", "SeedDay", "SeedMix", "Truth", "generate_day"]
