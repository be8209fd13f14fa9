"""Photos that people attach to what they record (a walk's finding, an activity entry).

What a browser sends is never kept as it came. An upload is
- recognised by its content, not its name or declared type: JPEG, PNG or WebP only;
- refused when it is larger than PHOTO_MAX_BYTES, or when its header announces more than
  PHOTO_MAX_PIXELS pixels — checked before a single pixel is decoded, so a decompression
  bomb (a small file that expands to gigabytes) costs nothing;
- turned upright by its orientation tag, scaled down to PHOTO_MAX_SIDE and re-encoded, which
  drops every piece of metadata (camera, GPS position, time, comments): the file stored is
  made from pixels alone;
- stored under a random name in PHOTO_DIR (the instance folder by default).
A photo is served only through the view of the object it belongs to, after the policy let
the viewer load that object (`response`).

Files follow the transaction of their rows: a file written for a unit of work that is rolled
back is deleted with the rollback, and the file of a discarded photo is deleted only once the
row's deletion is committed, so no orphan file and no row without its file is left.
"""

import io
import secrets
import warnings
from datetime import datetime
from pathlib import Path

from flask import Response, current_app, send_file
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from brott.errors import DomainError
from brott.extensions import db
from brott.models import Photo

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
CHUNK = 64 * 1024


def save_upload(
    council_id: int, upload: FileStorage | None, now: datetime, field: str = "photo"
) -> Photo | None:
    """Check, clean and store an uploaded photo; None when no file was chosen."""
    if upload is None:
        return None
    data = _read_bounded(upload, field)
    if not data:
        return None
    image = _decoded(data, field)
    content_type, encoded, (width, height) = _re_encoded(image)
    key = secrets.token_hex(16) + (".png" if content_type == "image/png" else ".jpg")
    path = photo_dir() / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encoded)
    db.session.info.setdefault(WRITTEN, []).append(path)
    photo = Photo(
        council_id=council_id,
        storage_key=key,
        content_type=content_type,
        width=width,
        height=height,
        size_bytes=len(encoded),
        created_at=now,
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def response(photo: Photo) -> Response:
    """The stored photo as a response; the caller has checked who may see it."""
    path = photo_dir() / photo.storage_key
    if not path.is_file():
        raise NotFound()
    sent = send_file(path, mimetype=photo.content_type, max_age=0, conditional=True)
    sent.headers["Content-Disposition"] = f'inline; filename="foto-{photo.id}{path.suffix}"'
    sent.headers["Cache-Control"] = "private, no-store"
    return sent


def discard(photo: Photo) -> None:
    """Delete a photo's row now, and its file once that is committed."""
    db.session.info.setdefault(DOOMED, []).append(photo_dir() / photo.storage_key)
    db.session.delete(photo)
    db.session.flush()


# the files of the session's open unit of work: written for it, to delete once committed
WRITTEN = "photos_written"
DOOMED = "photos_doomed"


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    session.info.pop(WRITTEN, None)
    for path in session.info.pop(DOOMED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    """The outermost transaction ended uncommitted (rolled back, or closed at the end of a
    request that failed): its files go, the discarded photos' stay."""
    if transaction.parent is not None:
        return
    session.info.pop(DOOMED, None)
    for path in session.info.pop(WRITTEN, []):
        path.unlink(missing_ok=True)


def photo_dir() -> Path:
    configured = current_app.config.get("PHOTO_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "photos"


def _read_bounded(upload: FileStorage, field: str) -> bytes:
    limit = current_app.config["PHOTO_MAX_BYTES"]
    buffer = io.BytesIO()
    while chunk := upload.stream.read(CHUNK):
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise DomainError(
                _(
                    "The photo is larger than %(megabytes)d MB. Choose a smaller one.",
                    megabytes=limit // (1024 * 1024),
                ),
                field=field,
            )
    return buffer.getvalue()


def _decoded(data: bytes, field: str) -> Image.Image:
    not_an_image = DomainError(
        _("The file is not a photo. Choose a JPEG, PNG or WebP image."), field=field
    )
    max_pixels = current_app.config["PHOTO_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in ACCEPTED_FORMATS:
                raise not_an_image
            width, height = image.size
            if width * height > max_pixels:
                raise DomainError(
                    _(
                        "The photo has too many pixels (at most %(megapixels)d million). "
                        "Choose a smaller one.",
                        megapixels=max_pixels // 1_000_000,
                    ),
                    field=field,
                )
            image.load()
            return image
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DomainError(
            _("The photo has too many pixels. Choose a smaller one."), field=field
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise not_an_image from error


def _re_encoded(image: Image.Image) -> tuple[str, bytes, tuple[int, int]]:
    """Upright, scaled down and encoded from pixels alone: no metadata survives."""
    upright = ImageOps.exif_transpose(image) or image
    side = current_app.config["PHOTO_MAX_SIDE"]
    upright.thumbnail((side, side))
    out = io.BytesIO()
    if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
        clean = Image.new("RGBA", upright.size)
        clean.paste(upright.convert("RGBA"))
        clean.save(out, format="PNG", optimize=True)
        return "image/png", out.getvalue(), clean.size
    clean = Image.new("RGB", upright.size)
    clean.paste(upright.convert("RGB"))
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return "image/jpeg", out.getvalue(), clean.size
