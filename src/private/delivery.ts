import * as fs from 'fs';
import * as path from 'path';
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * The files under a folder, as POSIX paths relative to it.
 */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        out.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return out;
}

/** Whether a file starts like a zip archive (a local file header, or the record of an empty one). */
export function isZipArchive(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    // A file shorter than four bytes leaves zeros in the rest, and neither signature has a zero byte.
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    return head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The names of the entries of a zip archive, read from its central directory; `undefined` when
 * the file is not a zip archive this reader understands (ZIP64 archives, for one).
 */
export function zipEntries(file: string): string[] | undefined {
  const data = fs.readFileSync(file);
  // The end of central directory record is at least 22 bytes, followed by a comment of up to 64 KiB.
  for (let eocd = data.length - 22; eocd >= Math.max(0, data.length - 22 - 0xffff); eocd--) {
    if (data.readUInt32LE(eocd) !== 0x06054b50) {
      continue;
    }
    const count = data.readUInt16LE(eocd + 10);
    let offset = data.readUInt32LE(eocd + 16);
    // 0xffff entries means the count is in a ZIP64 record: reading that many would miss the rest. (A
    // ZIP64 offset, 0xffffffff, is past the end of any file read here, which the check below refuses.)
    if (count === 0xffff) {
      return undefined;
    }
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      if (offset + 46 > data.length || data.readUInt32LE(offset) !== 0x02014b50) {
        return undefined;
      }
      const nameLength = data.readUInt16LE(offset + 28);
      const extraLength = data.readUInt16LE(offset + 30);
      const commentLength = data.readUInt16LE(offset + 32);
      names.push(data.toString('utf-8', offset + 46, offset + 46 + nameLength));
      offset += 46 + nameLength + extraLength + commentLength;
    }
    return names;
  }
  return undefined;
}

/**
 * What kind of thing is at a local path: `file`, `directory`, or `missing`.
 */
export function pathKind(p: string): 'file' | 'directory' | 'missing' {
  try {
    const stat = fs.statSync(p);
    return stat.isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Props of {@link PinnedUpload}.
 */
export interface PinnedUploadProps {
  /** The local file or folder. A folder is zipped; a file is uploaded as it is. */
  readonly path: string;
  /** The bucket to put the object in (versioned). */
  readonly bucket: s3.IBucket;
  /** The object key in that bucket. */
  readonly key: string;
  /** The key the bucket encrypts objects with. */
  readonly encryptionKey: kms.IKey;
}

/**
 * Puts one local file (or a folder, zipped) at a fixed key of a versioned bucket and returns the
 * version id S3 gave the new object.
 *
 * The file is staged as an ordinary CDK asset, then a custom resource copies it to its key with
 * `CopyObject`, whose response carries the new object's `VersionId`. The custom resource's
 * parameters name the asset by its content hash, so an unchanged file leaves the template, and so
 * the environment, untouched, and a changed one produces exactly one new version. Older versions
 * are kept (the bucket is versioned, and nothing is deleted when the resource is), so a rollback
 * can go back to them.
 */
export class PinnedUpload extends Construct {
  /** The S3 version id of the uploaded object, resolved at deploy time. */
  public readonly versionId: string;
  /** The staged asset. */
  public readonly asset: s3assets.Asset;
  /** The custom resource that copies the asset into place. */
  public readonly copy: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: PinnedUploadProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.asset = new s3assets.Asset(this, 'Asset', { path: props.path });
    const call: cr.AwsSdkCall = {
      service: 'S3',
      action: 'copyObject',
      parameters: {
        Bucket: props.bucket.bucketName,
        Key: props.key,
        CopySource: `${this.asset.s3BucketName}/${this.asset.s3ObjectKey}`,
        // Do not carry the asset's tags over: that would need tagging permissions on both sides.
        TaggingDirective: 'REPLACE',
      },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('VersionId'),
      outputPaths: ['VersionId'],
    };
    this.copy = new cr.AwsCustomResource(this, 'Copy', {
      onCreate: call,
      onUpdate: call,
      // Nothing on delete: the object versions stay, like the bucket they are in.
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          sid: 'ReadStagedAsset',
          actions: ['s3:GetObject'],
          resources: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)],
        }),
        new iam.PolicyStatement({
          sid: 'WriteThisObjectOnly',
          actions: ['s3:PutObject'],
          resources: [props.bucket.arnForObjects(props.key)],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptThroughS3',
          actions: ['kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${Aws.URL_SUFFIX}` } },
        }),
      ]),
    });
    this.versionId = this.copy.getResponseField('VersionId');
  }
}
