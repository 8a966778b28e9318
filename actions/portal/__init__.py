"""The councillors' and officers' review portal (aiohttp + Jinja2, works without JavaScript)."""
