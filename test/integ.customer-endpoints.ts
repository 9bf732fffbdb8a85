// Integration test app: endpoint management CUSTOMER in the same account. The construct creates the
// database and web server endpoints from the environment's endpoint services in the same stack:
// CloudFormation reports the environment created when it is PENDING. Checked offline against its
// committed snapshot (`npm run integ`).
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EndpointManagement, PrivateMwaaEnvironment } from '../src';

const app = new App();
const stack = new Stack(app, 'MwaaCustomerEndpoints');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
new PrivateMwaaEnvironment(stack, 'Airflow', {
  environmentName: 'integ-customer-endpoints',
  vpc,
  endpointManagement: EndpointManagement.CUSTOMER,
});
new IntegTest(app, 'CustomerEndpoints', { testCases: [stack] });
