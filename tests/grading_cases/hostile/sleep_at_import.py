"""Hangs while being imported without using CPU (only a wall clock catches it)."""

import time

time.sleep(10**6)
