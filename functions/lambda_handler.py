"""AWS Lambda entry point (API Gateway HTTP API, payload v2).

The app is built once per container at import; the lifespan is off because
mangum would run it on every invocation, and no connection pool is opened
(RDS Proxy pools for us).
"""

from mangum import Mangum

from functions.app import create_app

handler = Mangum(create_app(pool=False), lifespan="off")
