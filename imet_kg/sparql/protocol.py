"""What every SPARQL 1.1 Protocol client here shares: authentication schemes, the timeout.

A module of constants only, so the command line can offer them as options without loading the
HTTP client.
"""

AUTH_SCHEMES = ("basic", "digest")
DEFAULT_TIMEOUT = 30.0
