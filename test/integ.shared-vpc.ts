// Integration test app: a shared VPC. The owner's stack has the VPC and the endpoint provisioner;
// the participant's stack forwards its MWAA events and has an environment with endpoint
// management CUSTOMER in the shared subnets (whose ids it is given, as RAM shares them). Checked
// offline against its committed snapshot (`npm run integ`); deploying needs two accounts.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EndpointManagement, MwaaSharedVpcEndpointProvisioner, MwaaSharedVpcParticipant, PrivateMwaaEnvironment } from '../src';

const OWNER = '111111111111';
const PARTICIPANT = '222222222222';
const REGION = 'eu-west-1';

const app = new App();
const owner = new Stack(app, 'MwaaSharedVpcOwner', { env: { account: OWNER, region: REGION } });
const vpc = new ec2.Vpc(owner, 'SharedVpc', { maxAzs: 2, natGateways: 1 });
new MwaaSharedVpcEndpointProvisioner(owner, 'Provisioner', {
  vpc,
  subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  participantAccounts: [PARTICIPANT],
});

const participant = new Stack(app, 'MwaaSharedVpcParticipant', { env: { account: PARTICIPANT, region: REGION } });
new MwaaSharedVpcParticipant(participant, 'Forwarding', { vpcOwnerAccount: OWNER });
const sharedVpc = ec2.Vpc.fromVpcAttributes(participant, 'SharedVpc', {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: [`${REGION}a`, `${REGION}b`],
  privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
  vpcCidrBlock: '10.0.0.0/16',
});
new PrivateMwaaEnvironment(participant, 'Airflow', {
  environmentName: 'integ-shared-vpc',
  vpc: sharedVpc,
  endpointManagement: EndpointManagement.CUSTOMER,
  createCustomerEndpoints: false,
});
new IntegTest(app, 'SharedVpc', { testCases: [owner, participant] });
