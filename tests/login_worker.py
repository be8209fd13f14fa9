"""One web worker in a process of its own, for the throttling test in test_throttle.py.

Run from the repository root as

    python -m tests.login_worker DATABASE_URL REDIS_URL|- REDIS_KEY_PREFIX

It builds the app as a deployment would (counting failures in the database, or in Redis when
a REDIS_URL is given; 6 failures per address are allowed), prints "ready", then reads
commands from stdin, one per line: `login <email> <password> <address>` posts the login form
through the app's test client (the address as the client's) and prints the response's status
code; `quit` ends the worker.
"""

import sys


def main(argv: list[str]) -> int:
    database_url, redis_url, prefix = argv
    from brott import create_app
    from brott.extensions import db
    from tests.conftest import test_config

    # fewer failures per address than by default, to spare the test some password hashing
    settings = {"REDIS_KEY_PREFIX": prefix, "LOGIN_FAILURES_PER_ADDRESS": 6}
    if redis_url != "-":
        settings["REDIS_URL"] = redis_url
    app = create_app(test_config(database_url, **settings))
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connected before the first command
        db.session.rollback()
    client = app.test_client()
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "quit":
            break
        email, password, address = args
        response = client.post(
            "/logga-in",
            data={"email": email, "password": password},
            environ_base={"REMOTE_ADDR": address},
        )
        print(response.status_code, flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
