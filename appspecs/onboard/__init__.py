"""Bringing apps under management and keeping their secrets fresh: import and secret rotation.

``selection`` reads the org and picks the apps to import, ``importer`` maps them back to specs
(``naming`` names them, ``writer`` writes them); ``secrets`` rotates client secrets through
Okta's API. What they read of the org comes from ``appspecs.live``.
"""
