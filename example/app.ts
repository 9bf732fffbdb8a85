import { Annotations, App, ArnFormat, CfnOutput, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MwaaWarnings, PrivateMwaaEnvironment, PrivateMwaaEnvironmentProps } from '../src';
import { addExampleFrontDoor, FRONT_DOOR_EXAMPLE_NAMES } from './front-door';
import { ExampleIdentityStack } from './identity';

/** Props of the example's environment beyond its name and VPC, for variations in tests. */
export type ExampleAirflowProps = Omit<PrivateMwaaEnvironmentProps, 'environmentName' | 'vpc'>;

/** Props of {@link ExampleStack}. */
export interface ExampleStackProps extends StackProps {
  /** Added to the environment's props. */
  readonly airflow?: ExampleAirflowProps;

  /**
   * A VPC without internet access: two isolated subnets in two Availability Zones, no NAT gateway,
   * and the VPC endpoints and network ACL the environment creates for itself.
   *
   * @default false
   */
  readonly isolated?: boolean;

  /**
   * The environment's name and the flow log group's, for a further stack of the same kind.
   *
   * @default - the names of the private (or isolated) example
   */
  readonly names?: { readonly environment: string; readonly flowLogGroup: string };
}

/**
 * The bundled example: a VPC with two private subnets and a `PrivateMwaaEnvironment` with its
 * defaults, plus what a regulated account adds around it (encrypted VPC flow logs, server access
 * logs for the DAG bucket). Nothing here needs AWS credentials.
 *
 * The cdk-nag findings that remain are acknowledged below, each on the one resource it concerns,
 * with its reason. The environment acknowledges the documented wildcards of its own execution role.
 */
export class ExampleStack extends Stack {
  public readonly airflow: PrivateMwaaEnvironment;

  constructor(scope: Construct, id: string, props?: ExampleStackProps) {
    super(scope, id, props);

    // VPC flow logs, encrypted with a key of their own.
    const flowLogKey = new kms.Key(this, 'FlowLogKey', {
      description: 'Encrypts the VPC flow logs of the MWAA example',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    flowLogKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': this.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'vpc-flow-logs-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      logGroupName: props?.names?.flowLogGroup ?? (props?.isolated ? 'vpc-flow-logs-mwaa-isolated-example' : 'vpc-flow-logs-mwaa-example'),
      encryptionKey: flowLogKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props?.isolated ? 0 : 1,
      subnetConfiguration: props?.isolated
        ? [{ name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }]
        : [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
          { name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        ],
      flowLogs: {
        All: { trafficType: ec2.FlowLogTrafficType.ALL, destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) },
      },
    });

    // Server access logs of the DAG bucket. S3 delivers access logs only to buckets encrypted
    // with S3 managed keys.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.airflow = new PrivateMwaaEnvironment(this, 'Airflow', {
      environmentName: props?.names?.environment ?? (props?.isolated ? 'example-isolated-airflow' : 'example-private-airflow'),
      vpc,
      sourceBucketAccessLogs: accessLogs,
      // Without internet: endpoints and a network ACL. With it: people update the environment
      // through the restricted updater, and a public web server is switched back automatically.
      ...(props?.isolated ? { createVpcEndpoints: true, createNetworkAcl: true } : { selfService: true, revertPublicAccess: true }),
      ...props?.airflow,
    });

    // The public access guardrail sees API calls through CloudTrail only. Check that your account
    // has a trail logging management events before you acknowledge this too.
    Annotations.of(this.airflow).acknowledgeWarning(MwaaWarnings.GUARDRAIL_NEEDS_TRAIL,
      'This example assumes the account has a CloudTrail trail that logs management events (trails do by default).');

    // What people start an update with, and the revert's executions to watch.
    if (this.airflow.selfServiceStateMachineArn) {
      new CfnOutput(this, 'SelfServiceStateMachineArn', { value: this.airflow.selfServiceStateMachineArn });
    }
    if (this.airflow.publicAccessRevertStateMachineArn) {
      new CfnOutput(this, 'PublicAccessRevertStateMachineArn', { value: this.airflow.publicAccessRevertStateMachineArn });
    }

    this.acknowledgeExampleFindings(vpc, accessLogs);
  }

  private acknowledgeExampleFindings(vpc: ec2.Vpc, accessLogs: s3.Bucket): void {
    const packs = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];
    const each = (rule: string, reason: string) => packs.map(pack => ({ id: `${pack}-${rule}`, reason }));

    Validations.of(vpc).acknowledge(
      ...each('VPCDefaultSecurityGroupClosed', 'Nothing uses the default security group of this example VPC; closing it needs a custom resource function that this example leaves out.'),
    );
    for (const subnet of vpc.publicSubnets) {
      Validations.of(subnet).acknowledge(
        ...each('VPCNoUnrestrictedRouteToIGW', 'The public subnets hold only the NAT gateway that gives the private Airflow subnets egress.'),
        ...each('VPCSubnetAutoAssignPublicIpDisabled', 'The NAT gateway needs a public subnet; no instance runs in it.'),
      );
    }
    const flowLogRolePolicy = vpc.node.findChild('All').node.findChild('IAMRole').node.findChild('DefaultPolicy');
    Validations.of(flowLogRolePolicy).acknowledge(
      ...each('IAMNoInlinePolicy', 'The inline policy CDK creates for the VPC flow log role, scoped to its log group.'),
    );
    Validations.of(this.airflow.sourceBucket).acknowledge(
      ...each('S3BucketReplicationEnabled', 'DAGs, requirements and plugins are deployed from source control; the versioned bucket can be redeployed, so it is not replicated.'),
    );
    Validations.of(accessLogs).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'This is the access log bucket; logging its own access would loop.' },
      ...each('S3BucketLoggingEnabled', 'This is the access log bucket; logging its own access would loop.'),
      ...each('S3BucketReplicationEnabled', 'Access logs stay in the Region of the environment.'),
      ...each('S3DefaultEncryptionKMS', 'S3 server access log delivery supports only S3 managed keys on the target bucket.'),
    );
  }
}

/** Build the example app, ready to synthesize. */
export function buildExampleApp(outdir?: string, airflow?: ExampleAirflowProps): {
  app: App; stack: ExampleStack; isolatedStack: ExampleStack; identityStack: ExampleIdentityStack; frontDoorStack: ExampleStack;
} {
  const app = new App({ outdir });
  const env = { account: '111111111111', region: 'eu-west-1' };
  const stack = new ExampleStack(app, 'PrivateMwaaExample', { env, airflow });
  const isolatedStack = new ExampleStack(app, 'PrivateMwaaIsolatedExample', { env, airflow, isolated: true });
  // Sign-in through IAM Identity Center, from the organization's management (or delegated
  // administrator) account: one permission set per profile, with literal ARNs of both environments.
  const identityStack = new ExampleIdentityStack(app, 'PrivateMwaaIdentityExample', {
    env: { account: '999999999999', region: 'us-east-1' },
    environments: [stack.airflow, isolatedStack.airflow],
    workloadAccount: env.account,
  });
  // The example environments are new: their buckets are named by CDK from their first deployment.
  // The warning is reported once, on each environment.
  for (const workload of [stack, isolatedStack]) {
    Annotations.of(workload.airflow).acknowledgeWarning(MwaaWarnings.GENERATED_BUCKET_NAME,
      'The example environments are new: their buckets are named by CDK from the start.');
  }
  // The private web server behind a company host name with sign-in through the company's provider.
  const frontDoorStack = new ExampleStack(app, 'PrivateMwaaFrontDoorExample', { env, airflow, names: FRONT_DOOR_EXAMPLE_NAMES });
  addExampleFrontDoor(frontDoorStack);
  return { app, stack, isolatedStack, identityStack, frontDoorStack };
}
