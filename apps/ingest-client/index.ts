/**
 * The ingestion SDK client: a TypeScript library (and the `ingest` CLI in ./cli.ts) over the AWS SDK v3 for
 * hospitals' integration engineers. It is a program that sends data, not infrastructure: nothing here imports
 * Pulumi.
 */
export { createKinesisClient, createS3Client } from "./clients";
export type { ClientOptions } from "./clients";
export { EXIT_CODES, explainAwsError, explainFileError, IngestionError } from "./errors";
export type { IngestionErrorKind } from "./errors";
export { formatBytes, ProgressBar, renderProgressLine } from "./progress";
export { backoffDelay, KINESIS_MAX_BYTES_PER_CALL, KINESIS_MAX_RECORD_BYTES, KINESIS_MAX_RECORDS_PER_CALL, putRecords } from "./records";
export type { PutRecordsOptions, PutRecordsSummary, RecordFailure } from "./records";
export { checkReadableFile, contentTypeFor, defaultUploadKey, openMultipartUploads, uploadFile } from "./upload";
export type { UploadFileOptions, UploadResult } from "./upload";
