import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { ExampleStack } from './app';
import { AirflowRole, FrontDoorSignIn, MwaaFrontDoor } from '../src';

/** The names of the front door example's environment and flow log group. */
export const FRONT_DOOR_EXAMPLE_NAMES = { environment: 'example-front-door-airflow', flowLogGroup: 'vpc-flow-logs-mwaa-front-door-example' };

/**
 * The example environment behind a front door: `https://airflow.analytics.example.com` resolves in
 * a private hosted zone to an internal load balancer, which signs people in through the company's
 * OpenID Connect provider and logs them in to Airflow with the role of their group. The
 * certificate is validated in the company's public zone. People reach it over the VPN.
 */
export function addExampleFrontDoor(stack: ExampleStack): MwaaFrontDoor {
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  const publicZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'PublicZone', {
    hostedZoneId: 'Z0123456789EXAMPLE',
    zoneName: 'example.com',
  });
  const privateZone = new route53.PrivateHostedZone(stack, 'PrivateZone', { zoneName: 'analytics.example.com', vpc });

  return stack.airflow.addFrontDoor('FrontDoor', {
    hostName: 'airflow.analytics.example.com',
    hostedZone: privateZone,
    certificateValidationZone: publicZone,
    signIn: FrontDoorSignIn.oidc({
      issuer: 'https://login.example.com/oauth2/default',
      authorizationEndpoint: 'https://login.example.com/oauth2/default/v1/authorize',
      tokenEndpoint: 'https://login.example.com/oauth2/default/v1/token',
      userInfoEndpoint: 'https://login.example.com/oauth2/default/v1/userinfo',
      clientId: 'airflow-front-door',
      clientSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'ClientSecret', 'airflow/front-door/oidc-client-secret'),
      scope: 'openid email groups',
    }),
    groups: [
      { group: 'airflow-admins', airflowRole: AirflowRole.ADMIN },
      { group: 'airflow-operators', airflowRole: AirflowRole.OP },
      { group: 'data-engineers', airflowRole: AirflowRole.USER },
      { group: 'analysts', airflowRole: AirflowRole.VIEWER },
    ],
    // The VPN's client range.
    accessPeers: [ec2.Peer.ipv4('10.100.0.0/16')],
  });
}
