// Integration test app: a file landing in an S3 bucket starts a DAG run on an Airflow 3 environment
// with a private web server in a VPC without internet access. EventBridge's "Object Created" event
// of the bucket goes to the DAG run trigger, which selects the bucket and key as the run's conf; the
// trigger calls InvokeRestApi from a function in the environment's subnets through the airflow.env
// interface endpoint. The environment also has the queue for asset watchers. Checked offline against
// its committed snapshot (`npm run integ`); deploying it needs an AWS account and takes about an hour.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AirflowVersion, DagRunConf, PrivateMwaaEnvironment } from '../src';

const app = new App();
const stack = new Stack(app, 'MwaaDagRuns');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
});
const airflow = new PrivateMwaaEnvironment(stack, 'Airflow', {
  environmentName: 'integ-dag-runs',
  airflowVersion: AirflowVersion.V3_0_6,
  vpc,
  createVpcEndpoints: true,
  eventQueue: true,
});
const landing = new s3.Bucket(stack, 'Landing', {
  eventBridgeEnabled: true,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  encryption: s3.BucketEncryption.S3_MANAGED,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
});
new events.Rule(stack, 'OrdersLanded', {
  description: 'Start ingest_orders when an order file lands',
  eventPattern: {
    source: ['aws.s3'],
    detailType: ['Object Created'],
    detail: { bucket: { name: [landing.bucketName] }, object: { key: [{ prefix: 'orders/' }] } },
  },
  targets: [airflow.dagRunTarget('ingest_orders', {
    conf: DagRunConf.fromJsonata("{ 'bucket': $event.detail.bucket.name, 'key': $event.detail.object.key }"),
  })],
});
new IntegTest(app, 'DagRuns', { testCases: [stack] });
