"""Runs the Glue script's functions under a plain python3, for tests/components/ingestion/glue/jdbc_to_parquet.spec.ts.

    python3 -B harness.py <script.py>   < calls.json   > results.json

The script imports awsglue and pyspark inside main() only; this harness puts small stand-ins for those modules into
sys.modules before loading it, so main() runs end to end offline and records what it would have asked Glue to do
(reads, writes, bookmark commit). A call is {"fn": <name>, "args": [...]} or {"main": {"args": {...}, "rows": {...}}};
each result is {"ok": <value>} or {"error": "<class>: <message>"}, plus "events" for main.
"""

import importlib.util
import json
import sys
import types

events = []


def _module(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


class FakeRows:
    """A DataFrame of `count` rows; records the partition columns it is given."""

    def __init__(self, name, count):
        self.name, self.rows, self.columns = name, count, {}

    def cache(self):
        return self

    def count(self):
        return self.rows

    def withColumn(self, column, value):
        self.columns[column] = value
        return self

    def unpersist(self):
        return self


class FakeFrame:
    def __init__(self, rows):
        self.rows = rows

    def toDF(self):
        return self.rows

    @staticmethod
    def fromDF(rows, glue, name):
        return FakeFrame(rows)


class FakeLogger:
    def info(self, message):
        events.append({"log": message})


class FakeGlueContext:
    rows = {}

    def __init__(self, spark):
        events.append({"glueContext": True})
        context = self

        class Reader:
            @staticmethod
            def from_options(connection_type, connection_options, transformation_ctx):
                table = connection_options["dbtable"]
                events.append({"read": table, "connectionType": connection_type, "ctx": transformation_ctx})
                return FakeFrame(FakeRows(table, context.rows.get(table, 0)))

        class Writer:
            @staticmethod
            def from_options(frame, connection_type, format, format_options, connection_options, transformation_ctx):
                events.append(
                    {
                        "write": frame.rows.name,
                        "path": connection_options["path"],
                        "partitionKeys": connection_options["partitionKeys"],
                        "format": format,
                        "ctx": transformation_ctx,
                    }
                )

        self.create_dynamic_frame = Reader
        self.write_dynamic_frame = Writer

    def get_logger(self):
        return FakeLogger()


class FakeJob:
    def __init__(self, glue):
        pass

    def init(self, name, args):
        events.append({"jobInit": name})

    def commit(self):
        events.append({"commit": True})


def get_resolved_options(argv, names):
    """Like awsglue.utils.getResolvedOptions: `--name value` pairs, every name required."""
    given = {}
    i = 1
    while i < len(argv):
        if argv[i].startswith("--") and i + 1 < len(argv):
            given[argv[i][2:]] = argv[i + 1]
            i += 2
        else:
            i += 1
    missing = [n for n in names if n not in given]
    if missing:
        raise SystemExit("the following arguments are required: %s" % ", ".join("--" + n for n in missing))
    return {n: given[n] for n in names}


class FakeSparkContext:
    @staticmethod
    def getOrCreate():
        return FakeSparkContext()


_module("awsglue")
_module("awsglue.context", GlueContext=FakeGlueContext)
_module("awsglue.dynamicframe", DynamicFrame=FakeFrame)
_module("awsglue.job", Job=FakeJob)
_module("awsglue.utils", getResolvedOptions=get_resolved_options)
_module("pyspark")
_module("pyspark.context", SparkContext=FakeSparkContext)
_module("pyspark.sql")
_module("pyspark.sql.functions", lit=lambda value: value)


def load(path):
    spec = importlib.util.spec_from_file_location("jdbc_to_parquet", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plain(value):
    """JSON-able: tuples become lists, tuple keys 'schema.table'."""
    if isinstance(value, dict):
        return {(".".join(k) if isinstance(k, tuple) else k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def run(etl, call):
    del events[:]
    try:
        if "main" in call:
            FakeGlueContext.rows = call["main"].get("rows", {})
            argv = ["jdbc_to_parquet.py"]
            for name, value in call["main"]["args"].items():
                argv += [name, value]
            etl.main(argv)
            return {"ok": None, "events": list(events)}
        return {"ok": plain(getattr(etl, call["fn"])(*call["args"]))}
    except (Exception, SystemExit) as e:  # the test asserts the class and message
        result = {"error": "%s: %s" % (type(e).__name__, e)}
        if "main" in call:
            result["events"] = list(events)
        return result


if __name__ == "__main__":
    etl = load(sys.argv[1])
    print(json.dumps([run(etl, call) for call in json.load(sys.stdin)]))
