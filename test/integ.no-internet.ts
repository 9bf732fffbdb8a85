// Integration test app: an environment in a VPC without internet access (isolated subnets, no NAT),
// with the VPC endpoints and the network ACL it creates for itself. Checked offline against its
// committed snapshot (`npm run integ`); deploying it needs an AWS account and takes about an hour.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PrivateMwaaEnvironment } from '../src';

const app = new App();
const stack = new Stack(app, 'MwaaNoInternet');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
});
new PrivateMwaaEnvironment(stack, 'Airflow', {
  environmentName: 'integ-no-internet',
  vpc,
  createVpcEndpoints: true,
  vpcEndpointsOptions: { secretsManager: true },
  createNetworkAcl: true,
  secretsBackend: {},
});
new IntegTest(app, 'NoInternet', { testCases: [stack] });
