"""Loads test/support/skip_policy.py: skips only in real-data CTest entries."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
pytest_plugins = ["skip_policy"]
