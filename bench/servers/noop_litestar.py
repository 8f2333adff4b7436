"""A no-op on our stack: a Litestar handler that reads the body and answers 204."""

from litestar import Litestar, Request, post


@post("/__deco/rum", status_code=204)
async def ingest(request: Request) -> None:  # type: ignore[type-arg]
    await request.body()


app = Litestar([ingest], openapi_config=None)
