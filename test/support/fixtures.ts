import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PrivateMwaaEnvironment, PrivateMwaaEnvironmentProps } from '../../src';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

/** A stack with a concrete environment, so that ARNs and Regions resolve. */
export function newStack(id = 'TestStack'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
}

/** A VPC with public, private-with-egress and isolated subnets in `maxAzs` zones. */
export function newVpc(stack: Stack, maxAzs = 2, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(stack, id, {
    maxAzs,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/** The props every test needs, plus whatever it overrides. */
export type PartialProps = Omit<PrivateMwaaEnvironmentProps, 'environmentName' | 'vpc'> & {
  environmentName?: string;
};

/** A stack with one environment built from `overrides`. */
export function newEnvironment(overrides: PartialProps = {}): {
  stack: Stack;
  vpc: ec2.Vpc;
  env: PrivateMwaaEnvironment;
} {
  const stack = newStack();
  const vpc = newVpc(stack);
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', {
    environmentName: 'test-env',
    vpc,
    ...overrides,
  });
  return { stack, vpc, env };
}
