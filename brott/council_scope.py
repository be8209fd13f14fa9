"""The council-scoped request base: the council and the viewer are resolved once per request.

A URL under `/r/<slug>/` names a council. Before the view runs, the slug is taken out of
the view's arguments and resolved, with the current user, into `g.council` and `g.viewer`
(one query); `url_for` fills the slug back in for links within the same council. A view
declares what it needs with `@requires(Permission.X)` and loads objects through `load`, so
it starts from its work rather than from a preamble.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, g
from flask_login import current_user
from sqlalchemy.orm.interfaces import ORMOption

from brott import policy
from brott.extensions import login_manager
from brott.models import Council
from brott.policy import Permission, Viewer

T = TypeVar("T")
SLUG = "slug"


def init_app(app: Flask) -> None:
    """Register the slug handling and the template globals."""

    @app.url_value_preprocessor
    def take_council_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and SLUG in values:
            g.council_slug = values.pop(SLUG)

    @app.url_defaults
    def fill_council_slug(endpoint: str, values: dict[str, Any]) -> None:
        council = g.get("council")
        if (
            council is not None
            and SLUG not in values
            and app.url_map.is_endpoint_expecting(endpoint, SLUG)
        ):
            values[SLUG] = council.slug

    @app.before_request
    def resolve_viewer() -> None:
        slug = g.get("council_slug")
        g.viewer = policy.viewer_for(current_user, slug) if slug is not None else None
        g.council = g.viewer.council if g.viewer is not None else None

    @app.context_processor
    def viewer_globals() -> dict[str, Any]:
        viewer = current_viewer()
        return {
            "viewer": viewer,
            "council": viewer.council if viewer is not None else None,
            "can": lambda permission, obj=None: policy.can(viewer, permission, obj),
            "Permission": Permission,
        }


def current_viewer() -> Viewer | None:
    """The viewer of this request's council; None outside council pages."""
    return g.get("viewer")


def viewer() -> Viewer:
    """The viewer of a view that `requires` a permission (so there is one)."""
    found = current_viewer()
    if found is None:
        abort(404)
    return found


def council() -> Council:
    """The council of this request."""
    return viewer().council


def requires(permission: Permission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs `permission` in the URL's council.

    Refused: an anonymous visitor is sent to log in; a logged-in person who is not a member
    of the council (or of no such council) gets 404, as if it did not exist; a member whose
    role lacks the permission gets 403.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            found = current_viewer()
            if not policy.can(found, permission):
                refuse(found)
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded

    return decorate


def public_page_for(
    permission: Permission,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view is one of the council's public pages (residents' reports, Open311, the
    progress page): it is seen as the public sees it — a logged-in member too gets the public
    viewer, so nothing of their role leaks into it — and needs the public's `permission`; no
    such council: 404."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def public(*args: Any, **kwargs: Any) -> Any:
            found = current_viewer()
            if found is None:
                abort(404)
            g.viewer = Viewer.public(found.council)
            if not policy.can(g.viewer, permission):
                abort(404)
            return view(*args, **kwargs)

        public.required_permission = permission  # type: ignore[attr-defined]
        public.public_page = True  # type: ignore[attr-defined]
        return public

    return decorate


# the residents' report pages and Open311
public_page = public_page_for(Permission.SUBMIT_REPORT)


def refuse(found: Viewer | None) -> None:
    """Answer a refused request as `requires` describes."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if found is None or found.kind is not policy.ViewerKind.MEMBER:
        abort(404)
    abort(403)


def require(permission: Permission, obj: Any = None) -> None:
    """403 unless the viewer may do `permission` to `obj`."""
    policy.require(current_viewer(), permission, obj)


def load(model: type[T], object_id: int, *options: ORMOption) -> T:
    """An object of the request's council that the viewer may read, or 404."""
    return policy.load(viewer(), model, object_id, *options)
