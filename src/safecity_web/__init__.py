"""Safe City web application: public data observatory, open API and partner portal.

The web layer talks to the core (:mod:`safecity`) only through :mod:`safecity_web.core_gateway`.
"""
