"""Bringing apps under management and keeping their secrets fresh: import and secret rotation.

``importer`` maps live OIDC apps back to specs (``reading`` reads what it needs, ``naming``
names them, ``writer`` writes them); ``secrets`` rotates client secrets through Okta's API and
``locate`` finds the live app a spec became.
"""
