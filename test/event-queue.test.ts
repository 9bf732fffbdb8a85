import { runSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AirflowVersion } from '../src';
import { ACCOUNT, newEnvironment, PartialProps, REGION } from './support/fixtures';
import { nagFindings, PACKS } from './support/nag';
import { resolveIntrinsics } from './support/resolve-template';

const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:test-env-events`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function build(props: PartialProps = {}) {
  const { stack, env } = newEnvironment({ eventQueue: true, ...props });
  const template = Template.fromStack(stack);
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  const resolve = (v: unknown) => resolveIntrinsics(v, {
    account: ACCOUNT,
    region: REGION,
    refs: {},
    arns: { [id(env.eventQueue!)]: QUEUE_ARN, [id(env.kmsKey)]: KEY_ARN, [id(env.sourceBucket)]: 'arn:aws:s3:::test-env-bucket' },
    attributes: {},
  });
  return { stack, env, template, json: template.toJSON(), id, resolve };
}

describe('the event queue for asset watchers', () => {
  const b = build();

  test('is encrypted with the environment key, TLS only, and kept like the other stateful parts', () => {
    const queue = b.json.Resources[b.id(b.env.eventQueue!)];
    expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [b.id(b.env.kmsKey), 'Arn'] });
    expect(queue.DeletionPolicy).toBe('Retain');
    const [policy] = Object.values<any>(b.json.Resources).filter(r => r.Type === 'AWS::SQS::QueuePolicy');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
      Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    })]);
  });

  test('the execution role may receive and delete its messages, and nothing else on it', async () => {
    const policy = b.resolve(b.json.Resources[b.id(b.env.executionRolePolicy)].Properties.PolicyDocument);
    expect(policy.Statement.filter((s: any) => s.Sid === 'ReceiveFromTheEventQueue')).toEqual([{
      Sid: 'ReceiveFromTheEventQueue', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: QUEUE_ARN,
    }]);
    const simulate = async (action: string, resource: string) => {
      const principal = `arn:aws:iam::${ACCOUNT}:role/ExecutionRole`;
      const simulation: Simulation = {
        identityPolicies: [{ name: 'Policy', policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: { 'aws:PrincipalArn': principal } },
      };
      const response = await runSimulation(simulation, {});
      if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
      return response.overallResult;
    };
    expect(await simulate('sqs:ReceiveMessage', QUEUE_ARN)).toBe('Allowed');
    expect(await simulate('sqs:DeleteMessage', QUEUE_ARN)).toBe('Allowed');
    for (const action of ['sqs:SendMessage', 'sqs:PurgeQueue', 'sqs:SetQueueAttributes', 'sqs:DeleteQueue']) {
      expect({ action, result: await simulate(action, QUEUE_ARN) }).toEqual({ action, result: 'ImplicitlyDenied' });
    }
    expect(await simulate('sqs:ReceiveMessage', `arn:aws:sqs:${REGION}:${ACCOUNT}:someone-elses-queue`)).toBe('ImplicitlyDenied');
  });

  test('the environment key is usable for it through SQS (the documented statement)', () => {
    const policy = b.resolve(b.json.Resources[b.id(b.env.executionRolePolicy)].Properties.PolicyDocument);
    const key = policy.Statement.find((s: any) => s.Sid === 'UseKeyViaSqsAndS3');
    expect(key.Action).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    expect(key.Condition.StringLike['kms:ViaService']).toContain(`sqs.${REGION}.amazonaws.com`);
  });

  test('without VPC endpoints of this library nothing else is added', () => {
    expect(Object.values<any>(b.json.Resources).filter(r => r.Type === 'AWS::EC2::VPCEndpoint')).toHaveLength(0);
  });

  test('with VPC endpoints, the SQS endpoint admits the queue for receive and delete', () => {
    const e = build({ createVpcEndpoints: true, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const [sqsEndpoint] = Object.values<any>(e.json.Resources)
      .filter(r => r.Type === 'AWS::EC2::VPCEndpoint' && JSON.stringify(r.Properties.ServiceName).includes('.sqs'));
    expect(e.resolve(sqsEndpoint.Properties.PolicyDocument.Statement).filter((s: any) => s.Sid === 'UseQueue0')).toEqual([{
      Sid: 'UseQueue0', Effect: 'Allow', Principal: '*', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: QUEUE_ARN,
    }]);
  });

  test('off by default', () => {
    const { env, stack } = newEnvironment();
    expect(env.eventQueue).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 0);
  });

  test.each([AirflowVersion.V2_11_0, AirflowVersion.V2_7_2].map(v => [v.version, v] as const))('is refused on Airflow %s', (_v, version) => {
    expect(() => build({ airflowVersion: version }))
      .toThrow(`\`eventQueue\` needs Airflow 3 or later (asset watchers on SQS), got: \`airflowVersion\` ${version.version}`);
  });

  test.each([AirflowVersion.V3_0_6, AirflowVersion.of('3.2.0')].map(v => [v.version, v] as const))('is accepted on Airflow %s', (_v, version) => {
    expect(() => build({ airflowVersion: version })).not.toThrow();
  });
});

describe('cdk-nag', () => {
  test.each(PACKS)('%s: the event queue adds no unacknowledged finding', (_name, pack) => {
    const b = build();
    expect(nagFindings(b.stack.node.root as App, pack, b.env.eventQueue!)).toEqual([]);
  });
});
