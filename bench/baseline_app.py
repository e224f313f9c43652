"""The baseline for `bench/ingest.py`: the least a FastAPI service can do to store a signal.

One route, POST /signals, no authentication and no validation: it parses the JSON body into a
dict and inserts one row (id, external_ref, body as JSON text) with a sync SQLAlchemy engine in a
plain `def` endpoint, the way the hub's routes run. It is served by uvicorn with the settings of
`hub serve` (one worker, access log on), so the ratio hub/baseline shows what the hub's own work
costs on the same machine, database backend and HTTP stack.

Run: `python bench/baseline_app.py --database-url URL --port 8001`. The table is made with
`create_all`: it is a throw-away table in a throw-away database, not part of the hub's schema.
"""

import argparse
import json
import uuid
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy import Column, MetaData, String, Table, Text, insert

from hub.db import make_engine

metadata = MetaData()
signals = Table(
    "baseline_signals",
    metadata,
    Column("id", String(36), primary_key=True),
    # The hub refuses a second external_ref per agency; a unique index keeps the cost comparable.
    Column("external_ref", String(255), nullable=False, unique=True),
    Column("body", Text, nullable=False),
)


def create_app(database_url: str) -> FastAPI:
    # The hub's engine factory, so pool size and SQLite pragmas (WAL, synchronous) are the same.
    engine = make_engine(database_url)
    metadata.create_all(engine)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    async def document(request: Request) -> dict[str, Any]:
        # Read on the event loop; the insert then runs in the threadpool, as the hub reads its
        # raw body in an async dependency of a sync route.
        parsed = await request.json()
        if not isinstance(parsed, dict) or not isinstance(parsed.get("external_ref"), str):
            raise HTTPException(400, "expected an object with an external_ref")
        return parsed

    @app.post("/signals", status_code=201)
    def create_signal(body: Annotated[dict[str, Any], Depends(document)]) -> dict[str, str]:
        row_id = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(
                insert(signals).values(
                    id=row_id, external_ref=body["external_ref"], body=json.dumps(body)
                )
            )
        return {"id": row_id, "external_ref": body["external_ref"]}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    # The same uvicorn settings as `hub serve` (hub/cli.py).
    uvicorn.run(
        create_app(args.database_url),
        host=args.host,
        port=args.port,
        workers=1,
        proxy_headers=True,
        server_header=False,
        log_level="info",
    )


if __name__ == "__main__":
    main()
