import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { assertSafeKey, PreconditionFailedError, type ListedObject, type ObjectStore } from './object-store.js'

const status = (err: unknown) => (err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined)

/**
 * The `s3` driver over @aws-sdk/client-s3, for AWS or any S3-compatible service.
 * Conditional writes use `If-None-Match: *` and `If-Match` (S3 conditional writes, 2024); a 412, or the 409
 * S3 answers when a concurrent conditional write wins, becomes PreconditionFailedError.
 * The client is built in lib/deps.ts and passed in.
 */
export function createS3Store(client: S3Client, bucket: string): ObjectStore {
  async function listEntries(prefix: string, options: { startAfter?: string; limit?: number } = {}): Promise<ListedObject[]> {
    const out: ListedObject[] = []
    let token: string | undefined
    do {
      const res = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          StartAfter: token ? undefined : options.startAfter,
          ContinuationToken: token,
          MaxKeys: options.limit ? Math.min(1000, options.limit - out.length) : undefined,
        }),
      )
      for (const o of res.Contents ?? []) if (o.Key) out.push({ key: o.Key, lastModifiedMs: o.LastModified?.getTime() ?? 0 })
      token = res.IsTruncated ? res.NextContinuationToken : undefined
    } while (token && (options.limit === undefined || out.length < options.limit))
    return out
  }

  return {
    async get(key) {
      assertSafeKey(key)
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        const body = Buffer.from(await res.Body!.transformToByteArray())
        return { body, etag: res.ETag ?? '' }
      } catch (err) {
        if (status(err) === 404) return null
        throw err
      }
    },

    async put(key, body, options = {}) {
      assertSafeKey(key)
      try {
        const res = await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: typeof body === 'string' ? Buffer.from(body) : body,
            ContentType: options.contentType ?? 'application/octet-stream',
            IfNoneMatch: options.ifNoneMatch,
            IfMatch: options.ifMatch,
          }),
        )
        return { etag: res.ETag ?? '' }
      } catch (err) {
        const code = status(err)
        // S3 answers If-Match on a missing key with 404 NoSuchKey; for the caller that is the same failed condition.
        if (code === 412 || (code === 409 && (options.ifMatch || options.ifNoneMatch)) || (code === 404 && options.ifMatch)) {
          throw new PreconditionFailedError(key, { cause: err })
        }
        throw err
      }
    },

    async putStream(key, body, options = {}) {
      assertSafeKey(key)
      // lib-storage sends a body under 5 MiB as one PutObject, else a multipart upload of 5 MiB parts, at most
      // 4 in flight; a failed stream aborts the upload, so no object appears at `key`.
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: options.contentType ?? 'application/octet-stream' },
        queueSize: 4,
        partSize: 5 * 1024 * 1024,
        leavePartsOnError: false,
      })
      // When the body fails, that failure is the cause worth reporting, not a failed abort behind it.
      let bodyError: unknown
      body.once('error', (err) => (bodyError = err))
      try {
        const res = await upload.done()
        return { etag: res.ETag ?? '' }
      } catch (err) {
        throw bodyError ?? err
      }
    },

    async delete(key) {
      assertSafeKey(key)
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    },

    async list(prefix, options = {}) {
      return (await listEntries(prefix, options)).map((o) => o.key)
    },

    listEntries,

    async urlFor(key, expiresInS) {
      assertSafeKey(key)
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInS })
    },
  }
}
