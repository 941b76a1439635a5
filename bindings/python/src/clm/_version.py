"""The binding's version: the one place it is written.

It is the version of the C library the binding was written for, so it equals
include/clm/clm.h's CLM_VERSION_MAJOR.MINOR.PATCH; the packaging metadata in
pyproject.toml says the same (tests/test_version.py checks both).
"""

VERSION = "0.1.0"
