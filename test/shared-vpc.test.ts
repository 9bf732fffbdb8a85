import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MwaaSharedVpcEndpointProvisioner, MwaaSharedVpcParticipant, SharedVpcNames } from '../src';
import { ACCOUNT, REGION } from './support/fixtures';
import { nagFindings, PACKS } from './support/nag';
import { resolveIntrinsics } from './support/resolve-template';

/**
 * The shared-VPC provisioner (VPC owner's account) and its participant side: what is synthesized,
 * and what the provisioner's role may and may not do, by IAM simulation.
 */

const PARTICIPANT = '222222222222';
const VPC_ID = 'vpc-0a1b2c3d4e5f60718';
const SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'];

function ownerStack(participants: string[] = [PARTICIPANT]) {
  const app = new App();
  const stack = new Stack(app, 'NetworkStack', { env: { account: ACCOUNT, region: REGION } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'SharedVpc', {
    vpcId: VPC_ID,
    availabilityZones: [`${REGION}a`, `${REGION}b`],
    privateSubnetIds: SUBNETS,
    vpcCidrBlock: '10.0.0.0/16',
  });
  const provisioner = new MwaaSharedVpcEndpointProvisioner(stack, 'Provisioner', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    participantAccounts: participants,
  });
  return { app, stack, provisioner, template: Template.fromStack(stack) };
}

function participantStack() {
  const app = new App();
  const stack = new Stack(app, 'AirflowStack', { env: { account: PARTICIPANT, region: REGION } });
  const participant = new MwaaSharedVpcParticipant(stack, 'SharedVpc', { vpcOwnerAccount: ACCOUNT });
  return { app, stack, participant, template: Template.fromStack(stack) };
}

describe('the provisioner in the VPC owner\'s account', () => {
  const { template, provisioner, stack } = ownerStack();

  test('a rule sends MWAA status changes of this account and the participants to the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.airflow'], 'detail-type': ['MWAA Environment Status Change'], 'account': [ACCOUNT, PARTICIPANT] },
      Targets: [{ Arn: { 'Fn::GetAtt': [stack.getLogicalId(provisioner.provisionerFunction.node.defaultChild as any), 'Arn'] } }],
    });
  });

  test('participants may put events on the default bus, one statement each', () => {
    const policies = Object.values<any>(template.findResources('AWS::Events::EventBusPolicy')).map(r => stack.resolve(r.Properties));
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatchObject({
      StatementId: `mwaa-shared-vpc-participant-${PARTICIPANT}`,
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${PARTICIPANT}:root`]] } },
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'events:source': 'aws.airflow' } },
      },
    });
  });

  test('the function knows the VPC, its shared subnets, the topic and the reader role name, and has a dead-letter queue', () => {
    const fn = template.toJSON().Resources[stack.getLogicalId(provisioner.provisionerFunction.node.defaultChild as any)];
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    const variables = fn.Properties.Environment.Variables;
    expect(variables.VPC_ID).toBe(VPC_ID);
    expect(JSON.parse(variables.SUBNET_IDS)).toEqual(SUBNETS);
    expect(variables.READER_ROLE_NAME).toBe(SharedVpcNames.READER_ROLE_NAME);
    expect(variables.OWN_ACCOUNT).toBe(ACCOUNT);
    expect(fn.Properties.DeadLetterConfig.TargetArn).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(provisioner.deadLetterQueue.node.defaultChild as any), 'Arn'] });
  });

  test('its role has a fixed name, for the participants\' trust policies, and no inline policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: SharedVpcNames.PROVISIONER_ROLE_NAME });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the topic, the queue and the log group are encrypted with the construct\'s key', () => {
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(provisioner.key.node.defaultChild as any), 'Arn'] };
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn, RetentionInDays: 365 });
  });
});

describe('the provisioner\'s role may create endpoints in the shared VPC and nowhere else', () => {
  const { template, provisioner, stack } = ownerStack();
  const policyResource = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
    .find(r => JSON.stringify(r.Properties.Roles).includes(stack.getLogicalId(provisioner.role.node.defaultChild as any)));
  const topicId = stack.getLogicalId(provisioner.notificationTopic.node.defaultChild as any);
  const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:provisioner-topic`;
  const refs = { [topicId]: TOPIC };
  const arns = {
    [stack.getLogicalId(provisioner.deadLetterQueue.node.defaultChild as any)]: `arn:aws:sqs:${REGION}:${ACCOUNT}:provisioner-dlq`,
    [stack.getLogicalId(provisioner.key.node.defaultChild as any)]: `arn:aws:kms:${REGION}:${ACCOUNT}:key/abcd`,
    [stack.getLogicalId(provisioner.node.findChild('Logs').node.defaultChild as any)]: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/provisioner:*`,
  };
  const document = resolveIntrinsics(policyResource.Properties.PolicyDocument, { account: ACCOUNT, region: REGION, refs, arns });
  const ec2Arn = (account: string, resource: string) => `arn:aws:ec2:${REGION}:${account}:${resource}`;
  const VPC = ec2Arn(ACCOUNT, `vpc/${VPC_ID}`);
  const OTHER_VPC = ec2Arn(ACCOUNT, 'vpc/vpc-0ffffffffffffffff');
  const MWAA_SERVICE = `com.amazonaws.vpce.${REGION}.vpce-svc-0123456789abcdef0`;
  const newEndpoint = ec2Arn(ACCOUNT, 'vpc-endpoint/*');
  const tagged = { 'aws:RequestTag/cdk-private-mwaa:managed-by': 'shared-vpc-provisioner', 'aws:TagKeys': ['cdk-private-mwaa:managed-by'], 'ec2:VpceServiceName': MWAA_SERVICE };

  const PROVISIONER = `arn:aws:iam::${ACCOUNT}:role/${SharedVpcNames.PROVISIONER_ROLE_NAME}`;
  /** A role elsewhere that trusts the provisioner: only the provisioner's own policy decides. */
  const trustsProvisioner = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: PROVISIONER }, Action: 'sts:AssumeRole' }] };

  async function call(action: string, resource: string, context: { [key: string]: string | string[] } = {}): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [{ name: 'ProvisionerPolicy', policy: document }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: action === 'sts:AssumeRole' ? trustsProvisioner : undefined,
      request: {
        principal: PROVISIONER,
        action,
        resource: { resource, accountId: resource.split(':')[4] || ACCOUNT },
        contextVariables: context,
      },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(JSON.stringify(response.errors));
    }
    return response.overallResult;
  }

  test.each([
    ['create an endpoint in the shared VPC', 'ec2:CreateVpcEndpoint', VPC, {}],
    ['create it in a shared subnet', 'ec2:CreateVpcEndpoint', ec2Arn(ACCOUNT, `subnet/${SUBNETS[0]}`), {}],
    ['attach a security group of the shared VPC', 'ec2:CreateVpcEndpoint', ec2Arn(ACCOUNT, 'security-group/sg-0123'), { 'ec2:Vpc': VPC }],
    ['create a tagged endpoint to an MWAA endpoint service', 'ec2:CreateVpcEndpoint', newEndpoint, tagged],
    ['tag an endpoint while creating it', 'ec2:CreateTags', ec2Arn(ACCOUNT, 'vpc-endpoint/vpce-1'), { 'ec2:CreateAction': 'CreateVpcEndpoint' }],
    ['delete an endpoint it created', 'ec2:DeleteVpcEndpoints', ec2Arn(ACCOUNT, 'vpc-endpoint/vpce-1'), { 'aws:ResourceTag/cdk-private-mwaa:managed-by': 'shared-vpc-provisioner' }],
    ['describe endpoints', 'ec2:DescribeVpcEndpoints', '*', {}],
    ['read an environment of this account', 'airflow:GetEnvironment', `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/analytics`, {}],
    ['assume a participant\'s reader role', 'sts:AssumeRole', `arn:aws:iam::${PARTICIPANT}:role/${SharedVpcNames.READER_ROLE_NAME}`, {}],
    ['notify its topic', 'sns:Publish', TOPIC, {}],
  ])('may %s', async (_name, action, resource, context) => {
    expect(await call(action, resource, context as any)).toBe('Allowed');
  });

  test.each([
    ['create an endpoint in another VPC', 'ec2:CreateVpcEndpoint', OTHER_VPC, {}],
    ['create it in a subnet that is not shared', 'ec2:CreateVpcEndpoint', ec2Arn(ACCOUNT, 'subnet/subnet-0ccccccccccccccc3'), {}],
    ['attach a security group of another VPC', 'ec2:CreateVpcEndpoint', ec2Arn(ACCOUNT, 'security-group/sg-0123'), { 'ec2:Vpc': OTHER_VPC }],
    ['create an untagged endpoint', 'ec2:CreateVpcEndpoint', newEndpoint, { 'ec2:VpceServiceName': MWAA_SERVICE }],
    ['create an endpoint to an AWS service', 'ec2:CreateVpcEndpoint', newEndpoint, { ...tagged, 'ec2:VpceServiceName': `com.amazonaws.${REGION}.s3` }],
    ['tag an existing endpoint', 'ec2:CreateTags', ec2Arn(ACCOUNT, 'vpc-endpoint/vpce-1'), { 'ec2:CreateAction': 'CreateTags' }],
    ['delete an endpoint it did not create', 'ec2:DeleteVpcEndpoints', ec2Arn(ACCOUNT, 'vpc-endpoint/vpce-1'), {}],
    ['change an endpoint', 'ec2:ModifyVpcEndpoint', ec2Arn(ACCOUNT, 'vpc-endpoint/vpce-1'), { 'aws:ResourceTag/cdk-private-mwaa:managed-by': 'shared-vpc-provisioner' }],
    ['update an environment', 'airflow:UpdateEnvironment', `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/analytics`, {}],
    ['assume a role in an account that is not a participant', 'sts:AssumeRole', `arn:aws:iam::333333333333:role/${SharedVpcNames.READER_ROLE_NAME}`, {}],
    ['assume another role of a participant', 'sts:AssumeRole', `arn:aws:iam::${PARTICIPANT}:role/Admin`, {}],
    ['publish to another topic', 'sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:payments`, {}],
  ])('may not %s', async (_name, action, resource, context) => {
    expect(await call(action, resource, context as any)).not.toBe('Allowed');
  });

  test('each participant\'s statement is named after its account, so removing one leaves the others in place', () => {
    const ids = (participants: string[]) => {
      const { stack: s2, provisioner: p2 } = ownerStack(participants);
      return Object.fromEntries(p2.node.children
        .filter((c): c is events.CfnEventBusPolicy => c instanceof events.CfnEventBusPolicy)
        .map(c => [c.statementId, s2.getLogicalId(c)]));
    };
    const both = ids([PARTICIPANT, '333333333333']);
    const one = ids(['333333333333']);
    expect(one['mwaa-shared-vpc-participant-333333333333']).toBe(both['mwaa-shared-vpc-participant-333333333333']);
  });

  test('a topic brought with its own key: the function may encrypt with that key too', () => {
    const app = new App();
    const teamStack = new Stack(app, 'NetworkStack', { env: { account: ACCOUNT, region: REGION } });
    const vpc = ec2.Vpc.fromVpcAttributes(teamStack, 'SharedVpc', { vpcId: VPC_ID, availabilityZones: [`${REGION}a`, `${REGION}b`], privateSubnetIds: SUBNETS });
    const topicKey = new kms.Key(teamStack, 'TeamTopicKey');
    const topic = new sns.Topic(teamStack, 'TeamTopic', { masterKey: topicKey });
    new MwaaSharedVpcEndpointProvisioner(teamStack, 'Provisioner', { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, participantAccounts: [], notificationTopic: topic });
    const statements = Object.values<any>(Template.fromStack(teamStack).findResources('AWS::IAM::ManagedPolicy')).flatMap(r => r.Properties.PolicyDocument.Statement);
    const encrypt = statements.find(st => st.Sid === 'EncryptNotificationsAndDeadLetters');
    expect(encrypt.Resource).toContainEqual({ 'Fn::GetAtt': [teamStack.getLogicalId(topicKey.node.defaultChild as kms.CfnKey), 'Arn'] });
    expect(encrypt.Resource).toHaveLength(2);
  });

  test('without participants it may assume no role', () => {
    const single = ownerStack([]);
    const statements = Object.values<any>(single.template.findResources('AWS::IAM::ManagedPolicy')).flatMap(r => r.Properties.PolicyDocument.Statement);
    expect(statements.filter(s => s.Action === 'sts:AssumeRole')).toEqual([]);
    single.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});

describe('the participant side', () => {
  const { template, participant, stack } = participantStack();

  test('forwards this account\'s MWAA status changes to the owner\'s default bus', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.airflow'], 'detail-type': ['MWAA Environment Status Change'], 'account': [PARTICIPANT] },
      Targets: [{ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:event-bus/default`]] } }],
    });
  });

  test('only the owner\'s provisioner role may assume the reader role, which may only read environments', async () => {
    const readerRole = template.toJSON().Resources[stack.getLogicalId(participant.readerRole.node.defaultChild as any)];
    const trust = resolveIntrinsics(readerRole.Properties.AssumeRolePolicyDocument, { account: PARTICIPANT, region: REGION, refs: {}, arns: {} });
    const assume = async (principal: string) => {
      const response = await runSimulation({
        identityPolicies: [{ name: 'CallerPolicy', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trust,
        request: {
          principal,
          action: 'sts:AssumeRole',
          resource: { resource: `arn:aws:iam::${PARTICIPANT}:role/${SharedVpcNames.READER_ROLE_NAME}`, accountId: PARTICIPANT },
          contextVariables: { 'aws:PrincipalArn': principal },
        },
      }, {});
      if (response.resultType === 'error') {
        throw new Error(JSON.stringify(response.errors));
      }
      return response.overallResult;
    };
    expect(await assume(`arn:aws:iam::${ACCOUNT}:role/${SharedVpcNames.PROVISIONER_ROLE_NAME}`)).toBe('Allowed');
    expect(await assume(`arn:aws:iam::${ACCOUNT}:role/SomeOtherRole`)).not.toBe('Allowed');
    expect(await assume(`arn:aws:iam::333333333333:role/${SharedVpcNames.PROVISIONER_ROLE_NAME}`)).not.toBe('Allowed');
    const readerId = stack.getLogicalId(participant.readerRole.node.defaultChild as any);
    const policies = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(r => JSON.stringify(r.Properties.Roles).includes(readerId))
      .flatMap(r => r.Properties.PolicyDocument.Statement);
    expect(policies.map(s => s.Action)).toEqual(['airflow:GetEnvironment']);
  });
});

describe('only EventBridge, for a rule of the participant account, may assume the forwarding role', () => {
  const { template, stack } = participantStack();
  const roles = template.toJSON().Resources;
  const forwardId = Object.keys(roles).find(id => roles[id].Type === 'AWS::IAM::Role' && JSON.stringify(roles[id].Properties.AssumeRolePolicyDocument).includes('events.amazonaws.com'))!;
  const trust = resolveIntrinsics(roles[forwardId].Properties.AssumeRolePolicyDocument, { account: PARTICIPANT, region: REGION, refs: {}, arns: {} });
  const rule = (account: string, region = REGION) => `arn:aws:events:${region}:${account}:rule/AirflowStack-SharedVpcForwardStatusChanges-ABC123`;
  async function assume(principal: string, context: { [key: string]: string }): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
      request: { principal, action: 'sts:AssumeRole', resource: { resource: `arn:aws:iam::${PARTICIPANT}:role/forward`, accountId: PARTICIPANT }, contextVariables: context },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(JSON.stringify(response.errors));
    }
    return response.overallResult;
  }

  test('the trust policy names the account and the rules of this account and Region, literally', () => {
    expect(trust.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': PARTICIPANT }, ArnLike: { 'aws:SourceArn': `arn:aws:events:${REGION}:${PARTICIPANT}:rule/*` } },
    }]);
    expect(stack.account).toBe(PARTICIPANT);
  });

  test.each([
    ['a rule of this account', 'events.amazonaws.com', { 'aws:SourceAccount': PARTICIPANT, 'aws:SourceArn': rule(PARTICIPANT) }, 'Allowed'],
    ['a rule of another account (confused deputy)', 'events.amazonaws.com', { 'aws:SourceAccount': '333333333333', 'aws:SourceArn': rule('333333333333') }, 'ImplicitlyDenied'],
    ['a rule of another Region', 'events.amazonaws.com', { 'aws:SourceAccount': PARTICIPANT, 'aws:SourceArn': rule(PARTICIPANT, 'us-east-1') }, 'ImplicitlyDenied'],
    ['no source at all', 'events.amazonaws.com', {}, 'ImplicitlyDenied'],
    ['another service', 'states.amazonaws.com', { 'aws:SourceAccount': PARTICIPANT, 'aws:SourceArn': rule(PARTICIPANT) }, 'ImplicitlyDenied'],
  ])('%s', async (_what, principal, context, expected) => {
    expect(await assume(principal, context)).toBe(expected);
  });
});

describe('bad input fails at synth', () => {
  test('a participant account that is not an account id', () => {
    expect(() => ownerStack(['12345'])).toThrow("`participantAccounts` must be 12-digit AWS account ids, got: '12345'");
  });

  test('an owner account that is not an account id', () => {
    const stack = new Stack(new App(), 'S', { env: { account: PARTICIPANT, region: REGION } });
    expect(() => new MwaaSharedVpcParticipant(stack, 'P', { vpcOwnerAccount: 'owner' })).toThrow("`vpcOwnerAccount` must be a 12-digit AWS account id, got: 'owner'");
  });

  test('a subnet selection that selects nothing', () => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: REGION } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: VPC_ID, availabilityZones: [`${REGION}a`], privateSubnetIds: ['subnet-1'] });
    expect(() => new MwaaSharedVpcEndpointProvisioner(stack, 'P', { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))
      .toThrow(/`subnets` must select the shared subnets of the VPC, got: none|There are no 'Isolated' subnet groups/);
  });
});

describe('cdk-nag packs stay clean on both sides', () => {
  test.each(PACKS)('%s', (_name, pack) => {
    for (const { app } of [ownerStack(), participantStack()]) {
      expect(nagFindings(app, pack)).toEqual([]);
    }
  });
});
