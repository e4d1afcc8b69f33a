/**
 * The ingestion SDK client: a TypeScript library (and the `ingest` CLI in ./cli.ts) over the AWS SDK v3 for
 * hospitals' integration engineers. It is a program that sends data, not infrastructure: nothing here imports
 * Pulumi.
 */
export { checkEndpoint, createKinesisClient, createS3Client, isLoopbackHost } from "./clients";
export type { ClientOptions } from "./clients";
export { EXIT_CODES, explainAwsError, explainFileError, IngestionError } from "./errors";
export type { IngestionErrorKind } from "./errors";
export { formatBytes, ProgressBar, renderProgressLine } from "./progress";
export { LineReader } from "./lines";
export type { LinePosition, RawLine, ReadLinesOptions } from "./lines";
export { backoffDelay, DeliveryStopped, KINESIS_MAX_BYTES_PER_CALL, KINESIS_MAX_RECORD_BYTES, KINESIS_MAX_RECORDS_PER_CALL, putRecords } from "./records";
export type { DeliveryCheckpoint, PutRecordsOptions, PutRecordsSummary, RecordFailure } from "./records";
export { defaultResumeFile, readResumePoint, RESUME_FORMAT, tryWriteResumePoint, verifyResumePoint, writeResumePoint } from "./resume";
export type { ResumePoint } from "./resume";
export { DEFAULT_MAX_LINE_BYTES, sendFile, SendStopped } from "./send";
export type { SendFileOptions, SendFileSummary } from "./send";
export { checkReadableFile, checkUploadKey, contentTypeFor, defaultUploadKey, MAX_KEY_BYTES, openMultipartUploads, uploadFile } from "./upload";
export type { UploadFileOptions, UploadResult } from "./upload";
