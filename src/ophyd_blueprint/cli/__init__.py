"""The ``blueprint`` command line."""
