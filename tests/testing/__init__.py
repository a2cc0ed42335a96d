"""Tests of the public testing toolkit (tinygrad_edu.testing)."""
