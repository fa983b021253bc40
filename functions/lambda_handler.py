"""AWS Lambda entry point (API Gateway HTTP API, payload v2).

The app is built once per container at import; the lifespan is off because
mangum would run it on every invocation, and no connection pool is opened
(RDS Proxy pools for us). ``retention`` is the scheduled retention sweep.
"""

from mangum import Mangum

from functions.app import create_app
from functions.retention import handler as retention  # the daily sweep (RetentionFunction in template.yaml)

# mangum and Litestar declare the ASGI scope with TypedDicts of their own; both follow the ASGI spec.
handler = Mangum(create_app(pool=False), lifespan="off")  # pyright: ignore[reportArgumentType]

__all__ = ["handler", "retention"]
