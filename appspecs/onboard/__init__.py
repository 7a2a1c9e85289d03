"""Bringing apps under management and keeping their secrets fresh: import and secret rotation.

``run`` runs one import: ``selection`` reads the org and picks the apps to import, ``importer``
maps them back to specs (``naming`` names them, ``writer`` writes them); ``adoption`` pairs each
resource the stack program registers for them with the live object it stands for, and
``importfile`` writes those pairs as the Pulumi import file that makes the stack take them
over. ``secrets`` holds the calls to Okta's client-secret API, and ``rotation`` orders them for
one declared app (rotate, retire, list). What they read of the org comes from
``appspecs.live``; what the commands say of it, from ``appspecs.report``.
"""
