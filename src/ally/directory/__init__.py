"""Local help: a resource directory in the Open Referral HSDS 3.0 format.

What the rest of Ally uses:

* ``services_for_step(store, route, near=..., language=..., open_now=...)`` (``search``):
  the nearest services that can help with a plan step.
* ``search(store, SearchQuery(...))``: words, types, languages, open now, distance.
* ``resolve_place(text)`` (``geo``): a city, US ZIP code or "lat,lon", offline.
* ``read_json`` / ``read_tabular`` and ``write_json`` / ``write_tabular``: HSDS in and out.
* ``seed_bundle()`` / ``ensure_seeded(store)``: the knowledge packs' contacts as HSDS.

The store is ``ally.storage.directory_store.DirectoryStore`` (SQLite or PostgreSQL).
"""
