"""One reminder dispatcher in a process of its own, for test_dispatch_processes.

Run from the repository root as

    python -m tests.dispatch_worker DATABASE_URL SMTP_PORT NOW BATCH ROUNDS

It builds the app as a deployment would (MAIL_SERVER/MAIL_PORT naming the test's SMTP server on
127.0.0.1), connects to the database, prints "ready" and waits for "go" on stdin, so that the
test can start all workers at the same moment. Then it runs `jobs.dispatch_due(NOW)` ROUNDS
times and prints its summed DispatchReport as one JSON line.
"""

import json
import sys
from dataclasses import asdict
from datetime import datetime


def main(argv: list[str]) -> int:
    database_url, port, now, batch, rounds = argv
    from brott import create_app, jobs
    from brott.extensions import db
    from tests.conftest import test_config

    app = create_app(
        test_config(
            database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=int(port), SCHEDULER_ENABLED=False
        )
    )
    moment = datetime.fromisoformat(now)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connected before the start signal
        db.session.rollback()
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 3
        totals: dict[str, int] = {}
        for _ in range(int(rounds)):
            report = jobs.dispatch_due(moment, batch=int(batch))
            for name, value in asdict(report).items():
                totals[name] = totals.get(name, 0) + value
        print(json.dumps(totals), flush=True)
        db.session.remove()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
