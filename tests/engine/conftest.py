"""The engine tests' one Spark session per worker: a JVM takes seconds to start, and Spark
keeps one context per process, so a module that made and stopped its own would stop the
others' too."""

import pytest

from telekpi.engine.backends import SparkBackend


@pytest.fixture(scope="session")
def spark_session():
    # Tuned for kilobytes: generating and compiling code for each of a query's dozens of
    # stages, and broadcasting each small table, cost more than the work (3x, measured).
    session = SparkBackend._session("local[2]", {
        "spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false",
        "spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN",
        "spark.sql.autoBroadcastJoinThreshold": "-1",
    })
    yield session
    session.stop()
