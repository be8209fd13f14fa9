"""Request bodies that may carry files.

Every request body is limited to MAX_CONTENT_LENGTH (1 MB): enough for any form of text. A
view that takes a photo or an import file is marked with `@accepts_uploads`, and only its
requests may be as large as UPLOAD_MAX_BYTES. The limit is raised before anything reads the
body (the hostile-input check, the CSRF check), so every other route keeps the small one.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

F = TypeVar("F", bound=Callable[..., Any])

MARK = "accepts_uploads"


def accepts_uploads(view: F) -> F:
    """Let this view's requests carry files up to UPLOAD_MAX_BYTES."""
    setattr(view, MARK, True)
    return view


def init_app(app: Flask) -> None:
    """Install the hook first of all before-request hooks (after input_guard's)."""
    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit_for_uploads)


def raise_limit_for_uploads() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, MARK, False):
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"]
