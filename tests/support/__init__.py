"""Helpers shared by every test folder: imported as ``support`` (tests/ is on ``sys.path``, as for ``factories``)."""
