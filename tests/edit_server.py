"""The app served over real HTTP in a process of its own, for test_concurrent_edits.

Run from the repository root as

    python -m tests.edit_server DATABASE_URL

It builds the app with the tests' configuration (CSRF off, the real clock), serves it with
Werkzeug's threaded server on a free port of 127.0.0.1, prints that port as one line and
serves until its stdin is closed; then it shuts down and exits with 0.
"""

import sys
import threading


def main(argv: list[str]) -> int:
    (database_url,) = argv
    from werkzeug.serving import make_server

    from brott import create_app
    from brott.extensions import db
    from tests.conftest import test_config

    app = create_app(test_config(database_url, SCHEDULER_ENABLED=False))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    print(server.server_port, flush=True)
    sys.stdin.read()  # until the test closes the pipe
    server.shutdown()
    serving.join(timeout=30)
    with app.app_context():
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
