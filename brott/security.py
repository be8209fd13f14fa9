"""Response headers and cookie settings that protect every page (see SECURITY.md).

A small `after_request` hook rather than Flask-Talisman: the app needs five fixed headers and
one rule for caching, which fit in a screenful that a reader can check against the policy
below; Talisman would add a dependency (and its own defaults, nonce machinery and HTTPS
redirect) for the same result.

- Content-Security-Policy: scripts, styles and images only from the app itself (JavaScript in
  `brott/static/app.js`, styles in `style.css`); no inline `<script>`, no `style="…"`, no
  `on…=` handler in any page. Framing is refused twice over (`frame-ancestors 'none'` and
  `X-Frame-Options: DENY` for older browsers).
- Referrer-Policy `same-origin`: the one-click action links (`/atgard/<token>`) and calendar
  feeds (`/kalender/<token>.ics`) carry secrets in their path, and a page may link out (a
  meeting's video link). `same-origin` sends no referrer at all to another site, not even the
  installation's address, and the app itself needs none from outside.
- Cache-Control `no-store` on every response except the static files: pages are personal
  (a logged-in user's), carry a secret (the action confirmation, the calendar account page,
  the feed) or a CSRF token (the login form), so no browser or proxy may keep a copy. A view
  that sets its own Cache-Control keeps it.
- Strict-Transport-Security when `PRODUCTION` is on (brott/config.py): production is served
  over HTTPS only, and browsers ignore the header on plain HTTP anyway.
"""

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HSTS = "max-age=31536000"  # one year; no includeSubDomains: sibling hosts are not ours

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Install the security headers."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["PRODUCTION"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
