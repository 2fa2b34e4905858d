"""Open311 GeoReport v2 at /open311/v2/, with mySociety's servicerequestupdates extension.

Services are the second-level case categories; POST requests registers a case through the
normal intake (channel API) for a client system holding an api_key (manage.py
open311_key); everything else is public and needs no key.

What a reader sees of a request (a product rule, tested in tests/test_privacy.py):
- Only requests that came in through this endpoint (channel API) are published at all.
  A portal request (网上) is followed on the portal with its tracking code, which is the
  resident's own key and is not listed here; a visit, a call, a petition never appear,
  not even by id.
- Anyone (no api_key) reads the public fields: id, category, open/closed, the latest
  public progress line (cases.public, never an internal note), the agency handling it,
  the dates, and the place only as the village (or township) name with its region code as
  `address_id`. Never the description, the parties, contact details, the exact address or
  the point: residents write names and phone numbers into descriptions, and a pin on a
  map names a household.
- The client system that submitted a request (calling with its own api_key) also reads
  back its description and the address and point it sent; for anyone else's requests it
  reads what the public reads.
"""
