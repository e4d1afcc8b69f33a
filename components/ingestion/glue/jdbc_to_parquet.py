"""Copy on-prem EHR tables into the raw zone as partitioned Parquet, incrementally.

Deployed by components/ingestion/batch-etl.ts as an SSE-KMS object and run by a scheduled Glue job that has a
security configuration (S3, CloudWatch and job-bookmark encryption) and the JDBC connection (SSL enforced,
credentials from Secrets Manager, ENIs in a private subnet, traffic over the site-to-site VPN).

Job arguments (set by the component):
  --connection_name   Glue connection to the source database
  --connection_type   postgresql | mysql | sqlserver | oracle
  --source_tables     comma-separated schema.table or schema.table:bookmark_column
  --target_path       s3://<raw bucket>/customer=<id>/ (non-overridable: a run cannot write another tenant's prefix)
  --customer          customer id (non-overridable)

Incremental reads use Glue job bookmarks: each table has its own transformation_ctx, and a bookmark column (a
strictly increasing value such as updated_at or a sequence id) when one is given; without it Glue uses the
primary key. job.commit() stores the bookmark only after every table was written, so a failed run is re-read
next time instead of being skipped (at-least-once; the raw zone is append-only).

Output layout follows the data lake: customer=<id>/source=<schema>-<table>/year=YYYY/month=MM/day=DD/*.parquet
(the day is the UTC day of the run). Nothing here logs row contents: the rows are PHI; logs carry counts only.
"""

import re
import sys
from datetime import datetime, timezone

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
CONNECTION_TYPES = ("postgresql", "mysql", "sqlserver", "oracle")
REQUIRED_ARGS = ["JOB_NAME", "connection_name", "connection_type", "source_tables", "target_path", "customer"]


def parse_tables(spec):
    """'ehr.encounters:updated_at,ehr.patients' -> [('ehr', 'encounters', 'updated_at'), ('ehr', 'patients', None)]."""
    tables = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, _, key = item.partition(":")
        schema, dot, table = name.partition(".")
        if not dot or not IDENTIFIER.match(schema) or not IDENTIFIER.match(table) or (key and not IDENTIFIER.match(key)):
            raise ValueError("source table %r is not schema.table or schema.table:bookmark_column" % item)
        tables.append((schema, table, key or None))
    if not tables:
        raise ValueError("--source_tables names no table")
    return tables


def source_segment(schema, table):
    """Lake 'source=' segment of a table: lowercase letters, digits and hyphens ('EHR.Lab_Results' -> 'ehr-lab-results')."""
    segment = re.sub(r"[^a-z0-9]+", "-", ("%s-%s" % (schema, table)).lower()).strip("-")
    return segment[:64].rstrip("-")


def table_path(target_path, schema, table):
    """s3://raw/customer=x/ + table -> s3://raw/customer=x/source=<schema>-<table>/."""
    if not re.match(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/customer=[a-z0-9-]+/$", target_path):
        raise ValueError("--target_path must be s3://<bucket>/customer=<id>/, got %r" % target_path)
    return "%ssource=%s/" % (target_path, source_segment(schema, table))


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
    tables = parse_tables(args["source_tables"])

    glue = GlueContext(SparkContext.getOrCreate())
    logger = glue.get_logger()
    job = Job(glue)
    job.init(args["JOB_NAME"], args)

    now = datetime.now(timezone.utc)
    for schema, table, key in tables:
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
            connection_options={"path": table_path(args["target_path"], schema, table), "partitionKeys": ["year", "month", "day"]},
            transformation_ctx="write_" + ctx,
        )
        logger.info("%s.%s: copied %d rows for customer %s" % (schema, table, count, args["customer"]))
        rows.unpersist()

    job.commit()


if __name__ == "__main__":
    main(sys.argv)
