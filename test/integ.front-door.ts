// Integration test app: a private web server behind a front door. An internal load balancer on
// airflow.integ.example.com (alias in a private zone, certificate validated in a public zone) signs
// people in through an OpenID Connect provider; the login function maps their groups to Airflow
// roles. The web server endpoint's addresses are looked up at deploy time. Checked offline against
// its committed snapshot (`npm run integ`).
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AirflowRole, FrontDoorSignIn, PrivateMwaaEnvironment } from '../src';

const app = new App();
const stack = new Stack(app, 'MwaaFrontDoor');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const airflow = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'integ-front-door', vpc });
const clientSecret = new secretsmanager.Secret(stack, 'ClientSecret', { description: 'OIDC client secret of the front door (set it after deploying)' });
airflow.addFrontDoor('FrontDoor', {
  hostName: 'airflow.integ.example.com',
  hostedZone: new route53.PrivateHostedZone(stack, 'PrivateZone', { zoneName: 'integ.example.com', vpc }),
  certificateValidationZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'PublicZone', { hostedZoneId: 'Z0INTEGEXAMPLE', zoneName: 'example.com' }),
  signIn: FrontDoorSignIn.oidc({
    issuer: 'https://login.example.com/oauth2/default',
    authorizationEndpoint: 'https://login.example.com/oauth2/default/v1/authorize',
    tokenEndpoint: 'https://login.example.com/oauth2/default/v1/token',
    userInfoEndpoint: 'https://login.example.com/oauth2/default/v1/userinfo',
    clientId: 'integ-front-door',
    clientSecret,
  }),
  groups: [
    { group: 'airflow-admins', airflowRole: AirflowRole.ADMIN },
    { group: 'analysts', airflowRole: AirflowRole.VIEWER },
  ],
  accessPeers: [ec2.Peer.ipv4('10.100.0.0/16')],
  // Fixed so that the snapshot is stable; a real app leaves the default (the time of synthesis).
  targetRefresh: 'integ-snapshot',
});
new IntegTest(app, 'FrontDoor', { testCases: [stack] });
