"""Uploaded photos: recognised by content, re-encoded without metadata, bounded in bytes and
pixels (a decompression bomb is refused from its header), served only as stored."""

import io
import struct
import zlib

import pytest
from flask import Flask
from PIL import Image, PngImagePlugin
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.test import encode_multipart

from brott import create_app
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Photo, utcnow
from brott.services import photos
from brott.uploads import accepts_uploads

from .conftest import test_config

SECRET = "Hemlig plats 60.4858 N"


def _upload(data: bytes, filename: str = "bild.jpg") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename)


def _jpeg_with_metadata(size=(40, 20), orientation=6) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to show upright
    exif[0x010E] = SECRET  # ImageDescription
    exif[0x010F] = "Kamerafabriken"  # Make
    gps = {1: "N", 2: (60.0, 29.0, 9.0), 3: "E", 4: (15.0, 25.0, 1.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=SECRET.encode())
    data = out.getvalue()
    assert SECRET.encode() in data  # the test file really carries it
    return data


def _stored_bytes(photo: Photo) -> bytes:
    return (photos.photo_dir() / photo.storage_key).read_bytes()


def test_a_jpeg_is_turned_upright_and_stored_without_any_metadata(council):
    photo = photos.save_upload(council.id, _upload(_jpeg_with_metadata()), utcnow())
    assert photo is not None
    stored = _stored_bytes(photo)
    assert SECRET.encode() not in stored
    assert b"Kamerafabriken" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "comment" not in image.info
    # orientation 6 was applied to the pixels: 40×20 becomes 20×40, and no tag remains
    assert image.size == (20, 40) == (photo.width, photo.height)
    assert photo.content_type == "image/jpeg"
    assert photo.size_bytes == len(stored)
    assert photo.storage_key.endswith(".jpg") and "bild" not in photo.storage_key


def test_a_png_with_transparency_stays_png_and_loses_its_text_chunks(council):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG", pnginfo=info)
    photo = photos.save_upload(council.id, _upload(out.getvalue(), "x.png"), utcnow())
    assert photo is not None and photo.content_type == "image/png"
    stored = _stored_bytes(photo)
    assert SECRET.encode() not in stored
    assert Image.open(io.BytesIO(stored)).info.get("Comment") is None


def test_a_large_photo_is_scaled_down_to_the_longest_side(app, council, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_SIDE", 64)
    out = io.BytesIO()
    Image.new("RGB", (300, 150)).save(out, format="JPEG")
    photo = photos.save_upload(council.id, _upload(out.getvalue()), utcnow())
    assert photo is not None and (photo.width, photo.height) == (64, 32)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"inte en bild alls", "bild.jpg"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "trasig.jpg"),  # a JPEG that breaks off
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "rorlig.gif"),  # a real format, not taken
    ],
    ids=["text", "truncated-jpeg", "gif"],
)
def test_what_is_not_an_accepted_photo_is_refused_on_the_field(council, data, filename):
    with pytest.raises(DomainError) as refused:
        photos.save_upload(council.id, _upload(data, filename), utcnow(), field="bild")
    assert refused.value.field == "bild"
    assert "JPEG, PNG" in refused.value.message or "foto" in refused.value.message.lower()
    assert db.session.scalar(db.select(db.func.count()).select_from(Photo)) == 0


def _png_announcing(width: int, height: int) -> bytes:
    """A PNG whose header announces width × height pixels, with almost no data behind it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(council):
    bomb = _png_announcing(60_000, 60_000)  # 3.6 billion pixels, about 10 GB decoded
    assert len(bomb) < 200
    with pytest.raises(DomainError) as refused:
        photos.save_upload(council.id, _upload(bomb, "bomb.png"), utcnow())
    assert refused.value.field == "photo"
    assert "pixlar" in refused.value.message or "pixels" in refused.value.message


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read_whole(app, council, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1024 * 1024)
    stream = io.BytesIO(b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024))
    with pytest.raises(DomainError) as refused:
        photos.save_upload(council.id, FileStorage(stream=stream, filename="s.jpg"), utcnow())
    assert "1 MB" in refused.value.message
    assert stream.tell() <= 1024 * 1024 + photos.CHUNK


def test_no_file_chosen_is_no_photo(council):
    assert photos.save_upload(council.id, None, utcnow()) is None
    assert photos.save_upload(council.id, _upload(b"", ""), utcnow()) is None


def test_response_serves_the_stored_bytes_and_a_missing_file_is_404(app, council):
    photo = photos.save_upload(council.id, _upload(_jpeg_with_metadata()), utcnow())
    assert photo is not None
    with app.test_request_context():
        sent = photos.response(photo)
        sent.direct_passthrough = False
        assert sent.get_data() == _stored_bytes(photo)
        sent.close()
        assert sent.mimetype == "image/jpeg"
        assert "no-store" in sent.headers["Cache-Control"]
        photos.discard(photo)
        db.session.commit()
        with pytest.raises(NotFound):
            photos.response(photo)


def test_files_follow_the_transaction_of_their_rows(council):
    council_id = council.id
    db.session.commit()
    kept = photos.save_upload(council_id, _upload(_jpeg_with_metadata()), utcnow())
    db.session.commit()
    assert kept is not None
    kept_path = photos.photo_dir() / kept.storage_key
    # a unit of work that fails after the file was written leaves no file behind
    failed = photos.save_upload(council_id, _upload(_jpeg_with_metadata()), utcnow())
    assert failed is not None
    failed_path = photos.photo_dir() / failed.storage_key
    assert failed_path.is_file()
    db.session.rollback()
    assert not failed_path.exists()
    # a discard that is rolled back keeps the file of the row that stays
    photos.discard(db.session.get(Photo, kept.id))
    db.session.rollback()
    assert kept_path.is_file() and db.session.get(Photo, kept.id) is not None
    # ended without a commit (a request that failed closes its session): no orphan either
    other = photos.save_upload(council_id, _upload(_jpeg_with_metadata()), utcnow())
    assert other is not None
    other_path = photos.photo_dir() / other.storage_key
    db.session.close()
    assert not other_path.exists()
    # a savepoint released inside the unit of work is no commit: its rollback keeps the file
    photos.discard(db.session.get(Photo, kept.id))
    with db.session.begin_nested():
        pass
    assert kept_path.is_file()
    db.session.rollback()
    assert kept_path.is_file()
    # a committed discard deletes the file
    photos.discard(db.session.get(Photo, kept.id))
    db.session.commit()
    assert not kept_path.exists()


@pytest.fixture
def upload_app(tmp_path) -> Flask:
    app = create_app(test_config(f"sqlite:///{tmp_path / 'u.sqlite'}"))

    @app.post("/test-upload")
    @accepts_uploads
    def marked():
        return str(len(_body()))

    @app.post("/test-plain")
    def plain():
        return str(len(_body()))

    return app


def _body() -> bytes:
    from flask import request

    upload = request.files.get("photo")
    return upload.read() if upload else b""


def _multipart(client, path: str, size: int):
    # encoded in memory: the test client's own encoder leaves a temporary file open
    boundary, body = encode_multipart(
        MultiDict({"photo": FileStorage(io.BytesIO(b"\x00" * size), "a.jpg")})
    )
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_only_a_view_marked_for_uploads_takes_a_body_over_the_usual_limit(upload_app):
    client = upload_app.test_client()
    three_mb = 3 * 1024 * 1024
    marked = _multipart(client, "/test-upload", three_mb)
    assert marked.status_code == 200 and marked.text == str(three_mb)
    assert _multipart(client, "/test-plain", three_mb).status_code == 413
    too_big = upload_app.config["UPLOAD_MAX_BYTES"] + 1
    assert _multipart(client, "/test-upload", too_big).status_code == 413
