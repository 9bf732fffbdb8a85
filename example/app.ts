import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { PrivateMwaaEnvironment } from '../src';

/**
 * The bundled example: a VPC with two private subnets and a `PrivateMwaaEnvironment` with its
 * defaults. Nothing here needs AWS credentials.
 */
export class ExampleStack extends Stack {
  public readonly airflow: PrivateMwaaEnvironment;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Airflow', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      flowLogs: { All: { trafficType: ec2.FlowLogTrafficType.ALL } },
    });

    this.airflow = new PrivateMwaaEnvironment(this, 'Airflow', {
      environmentName: 'example-private-airflow',
      vpc,
    });
  }
}

/** Build the example app, ready to synthesize. */
export function buildExampleApp(outdir?: string): { app: App; stack: ExampleStack } {
  const app = new App({ outdir });
  const stack = new ExampleStack(app, 'PrivateMwaaExample', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  return { app, stack };
}
