/** Actions on the bucket itself (resource `arn:aws:s3:::<bucket>`). */
export const BUCKET_ACTIONS = [
  "s3:GetBucketLocation",
  "s3:ListBucket",
  "s3:ListBucketMultipartUploads",
] as const;
/** Actions on objects (resource `arn:aws:s3:::<bucket>/*`): what Loki and Mimir read, write and compact. */
export const OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
] as const;

/** A least-privilege IAM policy document: exactly these buckets, no wildcard resource, no admin action. */
export function consumerPolicy(buckets: string[]): {
  Version: string;
  Statement: { Effect: "Allow"; Action: string[]; Resource: string[] }[];
} {
  if (buckets.length === 0) throw new Error("consumerPolicy: a consumer policy needs at least one bucket");
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: [...BUCKET_ACTIONS], Resource: buckets.map((b) => `arn:aws:s3:::${b}`) },
      { Effect: "Allow", Action: [...OBJECT_ACTIONS], Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`) },
    ],
  };
}
