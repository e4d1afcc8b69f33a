"""Copy on-prem EHR tables into the raw zone as partitioned Parquet, incrementally.

Deployed by components/ingestion/batch-etl.ts as an SSE-KMS object and run by a scheduled Glue job that has a
security configuration (S3, CloudWatch and job-bookmark encryption) and the JDBC connection (SSL enforced,
credentials from Secrets Manager, ENIs in a private subnet, traffic over the site-to-site VPN).

Job arguments (set by the component):
  --connection_name   Glue connection to the source database
  --connection_type   postgresql | mysql | sqlserver | oracle
  --source_tables     comma-separated schema.table or schema.table:bookmark_column
  --table_sources     comma-separated schema.table=<source>: each table's lake 'source=' value, computed by
                      components/shared/lake-layout.ts tableSource (non-overridable; the one definition of the mapping,
                      so this script folds nothing, and a run may copy only tables named here)
  --target_path       s3://<raw bucket>/customer=<id>/ (non-overridable: a run cannot write another tenant's prefix)
  --customer          customer id (non-overridable)

Arguments are checked with re.fullmatch, never a pattern ending in '$': Python's '$' also matches before a final
"\n", so such a value would pass and end up inside an S3 key or a table name.

Incremental reads use Glue job bookmarks: each table has its own transformation_ctx, and a bookmark column (a
strictly increasing value such as updated_at or a sequence id) when one is given; without it Glue uses the
primary key. job.commit() stores the bookmark only after every table was written, so a failed run is re-read
next time instead of being skipped (at-least-once; the raw zone is append-only).

Output layout follows the data lake: customer=<id>/source=<source>/year=YYYY/month=MM/day=DD/*.parquet (the day is
the UTC day of the run). Two tables sharing one source would interleave their rows in one prefix, so the job refuses
to start when it sees that, whatever config validation already said. Nothing here logs row contents: the rows are
PHI; logs carry counts only.
"""

import re
import sys
from datetime import datetime, timezone

# All patterns are applied with fullmatch (no '^'/'$': '$' also matches before a trailing "\n").
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
# lake-layout.ts SOURCE_PATTERN: lowercase letters, digits and inner hyphens, 1-64 characters.
SOURCE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
TARGET_PATH = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/customer=[a-z0-9-]+/")
CONNECTION_TYPES = ("postgresql", "mysql", "sqlserver", "oracle")
REQUIRED_ARGS = ["JOB_NAME", "connection_name", "connection_type", "source_tables", "table_sources", "target_path", "customer"]


def _items(spec):
    """Comma-separated items; spaces around commas are allowed, any other whitespace stays in (and fails) the item."""
    return [item for item in (part.strip(" ") for part in spec.split(",")) if item]


def _table_name(name):
    """'schema.table' -> ('schema', 'table'), or None."""
    schema, dot, table = name.partition(".")
    if dot and IDENTIFIER.fullmatch(schema) and IDENTIFIER.fullmatch(table):
        return schema, table
    return None


def parse_tables(spec):
    """'ehr.encounters:updated_at,ehr.patients' -> [('ehr', 'encounters', 'updated_at'), ('ehr', 'patients', None)]."""
    tables = []
    for item in _items(spec):
        name, _, key = item.partition(":")
        parsed = _table_name(name)
        if not parsed or (key and not IDENTIFIER.fullmatch(key)):
            raise ValueError("source table %r is not schema.table or schema.table:bookmark_column" % item)
        tables.append((parsed[0], parsed[1], key or None))
    if not tables:
        raise ValueError("--source_tables names no table")
    return tables


def parse_table_sources(spec):
    """'ehr.encounters=ehr-encounters,ehr.patients=ehr-patients' -> {('ehr', 'encounters'): 'ehr-encounters', ...}.

    Refuses a table named twice and two tables with one source: their rows would share one lake prefix.
    """
    sources = {}
    owners = {}
    for item in _items(spec):
        name, eq, source = item.partition("=")
        parsed = _table_name(name)
        if not eq or not parsed or not SOURCE.fullmatch(source):
            raise ValueError("--table_sources item %r is not schema.table=<source> (lowercase letters, digits and inner hyphens, 1-64)" % item)
        if parsed in sources:
            raise ValueError("--table_sources names %s.%s twice" % parsed)
        if source in owners:
            raise ValueError("--table_sources maps %s.%s and %s.%s to one prefix, source=%s/" % (owners[source] + parsed + (source,)))
        sources[parsed] = source
        owners[source] = parsed
    return sources


def plan_tables(tables, sources):
    """[(schema, table, bookmark_key, source)] for the tables of this run, each with its own source."""
    plan = []
    seen = set()
    for schema, table, key in tables:
        source = sources.get((schema, table))
        if source is None:
            raise ValueError("--source_tables names %s.%s, which --table_sources does not map to a source" % (schema, table))
        if source in seen:
            raise ValueError("--source_tables names %s.%s twice: both copies would write source=%s/" % (schema, table, source))
        seen.add(source)
        plan.append((schema, table, key, source))
    return plan


def table_path(target_path, source):
    """s3://raw/customer=x/ + ehr-encounters -> s3://raw/customer=x/source=ehr-encounters/."""
    if not TARGET_PATH.fullmatch(target_path):
        raise ValueError("--target_path must be s3://<bucket>/customer=<id>/, got %r" % target_path)
    if not SOURCE.fullmatch(source):
        raise ValueError("source must be lowercase letters, digits and inner hyphens (1-64), got %r" % source)
    return "%ssource=%s/" % (target_path, source)


def read_options(connection_name, schema, table, bookmark_key):
    """JDBC options: the connection's URL, SSL setting and Secrets Manager credentials, and the bookmark key."""
    options = {
        "useConnectionProperties": "true",
        "connectionName": connection_name,
        "dbtable": "%s.%s" % (schema, table),
    }
    if bookmark_key:
        options["jobBookmarkKeys"] = [bookmark_key]
        options["jobBookmarkKeysSortOrder"] = "asc"
    return options


def main(argv):
    # Glue-only modules are imported here so the helpers above can be tested with a plain Python interpreter.
    from awsglue.context import GlueContext
    from awsglue.dynamicframe import DynamicFrame
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext
    from pyspark.sql import functions as F

    args = getResolvedOptions(argv, REQUIRED_ARGS)
    if args["connection_type"] not in CONNECTION_TYPES:
        raise ValueError("--connection_type must be one of %s, got %r" % (", ".join(CONNECTION_TYPES), args["connection_type"]))
    # Every check before Spark starts: a refused run reads nothing and commits no bookmark.
    tables = plan_tables(parse_tables(args["source_tables"]), parse_table_sources(args["table_sources"]))
    for _, _, _, source in tables:
        table_path(args["target_path"], source)

    glue = GlueContext(SparkContext.getOrCreate())
    logger = glue.get_logger()
    job = Job(glue)
    job.init(args["JOB_NAME"], args)

    now = datetime.now(timezone.utc)
    for schema, table, key, source in tables:
        ctx = "%s_%s" % (schema, table)
        frame = glue.create_dynamic_frame.from_options(
            connection_type=args["connection_type"],
            connection_options=read_options(args["connection_name"], schema, table, key),
            transformation_ctx="read_" + ctx,
        )
        # Cached so the source is read once for the count and the write.
        rows = frame.toDF().cache()
        count = rows.count()
        if count == 0:
            logger.info("%s.%s: no new rows since the last bookmark" % (schema, table))
            rows.unpersist()
            continue
        partitioned = (
            rows.withColumn("year", F.lit(now.strftime("%Y")))
            .withColumn("month", F.lit(now.strftime("%m")))
            .withColumn("day", F.lit(now.strftime("%d")))
        )
        glue.write_dynamic_frame.from_options(
            frame=DynamicFrame.fromDF(partitioned, glue, "out_" + ctx),
            connection_type="s3",
            # glueparquet writes files directly (no _temporary rename), so the role needs no s3:DeleteObject on raw.
            format="glueparquet",
            format_options={"compression": "snappy"},
            connection_options={"path": table_path(args["target_path"], source), "partitionKeys": ["year", "month", "day"]},
            transformation_ctx="write_" + ctx,
        )
        logger.info("%s.%s: copied %d rows for customer %s" % (schema, table, count, args["customer"]))
        rows.unpersist()

    job.commit()


if __name__ == "__main__":
    main(sys.argv)
