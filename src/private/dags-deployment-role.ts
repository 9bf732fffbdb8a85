import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** The construct id of the stack's DAG deployment role (one per stack, as the deployment function is). */
export const DAGS_DEPLOYMENT_ROLE_ID = 'PrivateMwaaDagsDeploymentRole';

/**
 * The role of the function CDK's `BucketDeployment` runs to synchronise a local DAG folder, limited
 * to what that synchronisation needs: read the staged archive, list the DAG folder, put, read and
 * delete objects under it (not `s3:DeleteObjectVersion`: the pinned versions of the requirements,
 * plugins and startup script, and older DAG versions, stay), and the bucket's key through S3 only.
 *
 * `BucketDeployment` grants its function read and write on the whole destination bucket (and its
 * key) and on the source asset bucket; on this role, the grants on what it was registered for are
 * dropped and replaced by the narrow statements of {@link allowDagFolder}. Grants on anything else
 * (another `BucketDeployment` of the stack that shares the singleton function) are added as usual.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 */
export class DagsDeploymentRole extends iam.Role {
  /** The role of a stack, created on first use. */
  public static of(scope: Construct): DagsDeploymentRole {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(DAGS_DEPLOYMENT_ROLE_ID);
    if (existing instanceof DagsDeploymentRole) {
      return existing;
    }
    return new DagsDeploymentRole(stack, DAGS_DEPLOYMENT_ROLE_ID);
  }

  /** The resources (resolved, as JSON) whose grants from `BucketDeployment` are replaced. */
  private readonly narrowed = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Synchronises the local DAG folders of the Amazon MWAA environments of this stack to their DAG folders only',
      // What the function CDK creates for BucketDeployment gets: writing its own logs.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
  }

  /** Allow the synchronisation of one DAG folder, and drop `BucketDeployment`'s wider grants on its bucket, key and asset. */
  public allowDagFolder(bucket: s3.IBucket, folder: string, key: kms.IKey, asset: s3assets.Asset): void {
    const stack = Stack.of(this);
    for (const arn of [bucket.bucketArn, bucket.arnForObjects('*'), key.keyArn, asset.bucket.bucketArn, asset.bucket.arnForObjects('*')]) {
      this.narrowed.add(JSON.stringify(stack.resolve(arn)));
    }
    const prefix = folder.replace(/\/+$/, '');
    super.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
    }));
    super.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}/`, `${prefix}/*`] } },
    }));
    super.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${prefix}/*`)],
    }));
    super.addToPrincipalPolicy(new iam.PolicyStatement({
      // Data keys for new objects and, for multipart uploads, their decryption: through S3 only.
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${Aws.URL_SUFFIX}` } },
    }));
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const stack = Stack.of(this);
    const resources = statement.resources.map(r => JSON.stringify(stack.resolve(r)));
    if (resources.length > 0 && resources.every(r => this.narrowed.has(r))) {
      // Replaced by the statements of allowDagFolder. Reported as added, so that the grant does not
      // fall back to the bucket's or the key's resource policy.
      return { statementAdded: true, policyDependable: this };
    }
    return super.addToPrincipalPolicy(statement);
  }
}
