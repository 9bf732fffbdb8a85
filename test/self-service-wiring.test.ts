import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AccessProfile, MwaaPublicAccessRevert, MwaaSelfService, PrivateMwaaEnvironment, WebserverAccessMode } from '../src';
import { expectValidStateMachines } from './support/definition-checks';
import { ACCOUNT, newEnvironment, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';

const ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/test-env`;
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:TestEnvSelfService`;
const PERSON = `arn:aws:sts::${ACCOUNT}:assumed-role/platform/jane`;

/** The administrator profile's policy of an environment, resolved to concrete ARNs. */
function administratorPolicy(selfService: boolean): any {
  const { stack, env } = newEnvironment({ selfService });
  const template = Template.fromStack(stack).toJSON();
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  const arns: { [id: string]: string } = {
    [id(env.sourceBucket)]: 'arn:aws:s3:::test-env-dags',
    [id(env.kmsKey)]: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    [id(env.executionRole)]: `arn:aws:iam::${ACCOUNT}:role/TestEnvExecution`,
  };
  // The network the administrator may create endpoints in: every other resource by a made-up id.
  const refs: { [id: string]: string } = Object.fromEntries(Object.keys(template.Resources).map(r => [r, r.toLowerCase()]));
  const groupIds = Object.fromEntries(Object.keys(template.Resources).map(r => [`${r}.GroupId`, `sg-${r.toLowerCase()}`]));
  if (env.selfService) {
    const machine = env.selfService.stateMachine.node.defaultChild as sfn.CfnStateMachine;
    refs[stack.getLogicalId(machine)] = STATE_MACHINE_ARN;
    arns[stack.getLogicalId(machine)] = STATE_MACHINE_ARN;
  }
  const attributes = env.selfService ? { [`${stack.getLogicalId(env.selfService.stateMachine.node.defaultChild as sfn.CfnStateMachine)}.Name`]: 'TestEnvSelfService' } : {};
  const policy = template.Resources[id(env.accessPolicy(AccessProfile.ADMINISTRATOR))].Properties.PolicyDocument;
  return resolveIntrinsics(policy, { account: ACCOUNT, region: REGION, refs, arns, attributes: { ...groupIds, ...attributes } });
}

async function decide(policy: any, action: string, resource: string): Promise<string> {
  const response = await runSimulation({
    identityPolicies: [{ name: 'administrators', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: { principal: PERSON, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
  }, {});
  if (response.resultType === 'error') {
    throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult;
}

describe('selfService on the environment', () => {
  test('creates the restricted updater, and the administrator profile starts it instead of calling UpdateEnvironment', async () => {
    const withIt = administratorPolicy(true);
    const without = administratorPolicy(false);
    expect(await decide(without, 'airflow:UpdateEnvironment', ENV_ARN)).toBe('Allowed');
    expect(await decide(withIt, 'airflow:UpdateEnvironment', ENV_ARN)).toBe('ImplicitlyDenied');
    expect(await decide(withIt, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/TestEnvExecution`)).toBe('ImplicitlyDenied');
    expect(await decide(withIt, 'states:StartExecution', STATE_MACHINE_ARN)).toBe('Allowed');
    expect(await decide(withIt, 'states:DescribeExecution', `arn:aws:states:${REGION}:${ACCOUNT}:execution:TestEnvSelfService:run-1`)).toBe('Allowed');
    expect(await decide(withIt, 'airflow:GetEnvironment', ENV_ARN)).toBe('Allowed');
    expect(await decide(without, 'states:StartExecution', STATE_MACHINE_ARN)).toBe('ImplicitlyDenied');
  }, 30_000);

  test('the state machines an environment creates pass Step Functions\' definition-time checks', () => {
    const { stack } = newEnvironment({ selfService: true, revertPublicAccess: true });
    expect(expectValidStateMachines(Template.fromStack(stack))).toBe(2);
  });

  test('selfServiceAllowedConfigurationOptions reaches the updater: only the options named may be set', () => {
    const definitionOf = (stack: Stack) => JSON.stringify(Object.values<any>(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))
      .map(r => r.Properties.DefinitionString));
    const allowed = definitionOf(newEnvironment({ selfService: true, selfServiceAllowedConfigurationOptions: ['core.default_timezone'] }).stack);
    expect(allowed).toContain('is not in the allow list (allowedConfigurationOptions)');
    expect(allowed).toContain('core.default_timezone');
    const byDefault = definitionOf(newEnvironment({ selfService: true }).stack);
    expect(byDefault).not.toContain('is not in the allow list');
    expect(byDefault).toContain('changes security or execution and cannot be set by a self-service update');
  });

  test('fails if selfServiceAllowedConfigurationOptions is given without selfService, naming both props', () => {
    expect(() => newEnvironment({ selfServiceAllowedConfigurationOptions: ['core.default_timezone'] })).toThrow(
      '`selfServiceAllowedConfigurationOptions` only applies when `selfService` is true, got: [core.default_timezone] with selfService not set');
  });

  test('the allow list passes the same key rule as the updater\'s own prop', () => {
    expect(() => newEnvironment({ selfService: true, selfServiceAllowedConfigurationOptions: ['celery.worker_concurrency'] })).toThrow(
      /^`allowedConfigurationOptions` must not name `celery.worker_concurrency`/);
  });

  test('the updater is an attribute, and off by default', () => {
    expect(newEnvironment({ selfService: true }).env.selfService).toBeInstanceOf(MwaaSelfService);
    expect(newEnvironment().env.selfService).toBeUndefined();
  });
});

describe('revertPublicAccess on the environment', () => {
  test('hangs the revert on the guardrail rule', () => {
    const { stack, env } = newEnvironment({ revertPublicAccess: true });
    expect(env.publicAccessRevert).toBeInstanceOf(MwaaPublicAccessRevert);
    const rule = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(env.publicAccessGuardrailRule!.node.defaultChild as any)];
    const targets = rule.Properties.Targets.map((t: any) => JSON.stringify(t.Arn));
    const machine = env.publicAccessRevert!.stateMachine.node.defaultChild as sfn.CfnStateMachine;
    expect(targets).toContainEqual(JSON.stringify({ Ref: stack.getLogicalId(machine) }));
  });

  test.each([WebserverAccessMode.PUBLIC_ONLY, WebserverAccessMode.PUBLIC_AND_PRIVATE])('fails with a %s web server (the stack and the revert would undo each other)', mode => {
    expect(() => newEnvironment({ revertPublicAccess: true, webserverAccessMode: mode })).toThrow(
      `\`revertPublicAccess\` makes the web server PRIVATE_ONLY whenever it is made public, so it needs \`webserverAccessMode\` PRIVATE_ONLY (otherwise the stack and the revert undo each other), got: revertPublicAccess true with webserverAccessMode ${mode}`);
  });

  test('fails when the guardrail is turned off', () => {
    expect(() => newEnvironment({ revertPublicAccess: true, publicAccessGuardrail: false })).toThrow(
      '`revertPublicAccess` is started by the public access guardrail, so it needs `publicAccessGuardrail`, got: revertPublicAccess true with publicAccessGuardrail false');
  });

  test('is off by default', () => {
    expect(newEnvironment().env.publicAccessRevert).toBeUndefined();
  });
});

test('a role outside the profiles keeps what it was granted', () => {
  const { stack, env } = newEnvironment({ selfService: true });
  const role = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
  env.grant(role, 'airflow:UpdateEnvironment');
  const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap(p => p.Properties.PolicyDocument.Statement);
  expect(statements).toContainEqual(expect.objectContaining({ Action: 'airflow:UpdateEnvironment' }));
});

describe('the runtime parts have names derived from the environment\'s name', () => {
  const { stack, env } = newEnvironment({ selfService: true, revertPublicAccess: true });
  const template = Template.fromStack(stack).toJSON();
  const resolved = (v: unknown) => resolveIntrinsics(v, { account: ACCOUNT, region: REGION, refs: {}, arns: {} });
  const resourceOf = (c: { node: { defaultChild?: unknown } }) => template.Resources[stack.getLogicalId(c.node.defaultChild as any)];

  test('state machines and roles', () => {
    expect(resourceOf(env.selfService!.stateMachine).Properties.StateMachineName).toBe('test-env-self-service');
    expect(resourceOf(env.publicAccessRevert!.stateMachine).Properties.StateMachineName).toBe('test-env-public-access-revert');
    expect(resourceOf(env.selfService!.role).Properties.RoleName).toBe(`test-env-self-service-${REGION}`);
    expect(resourceOf(env.publicAccessRevert!.role).Properties.RoleName).toBe(`test-env-public-access-revert-${REGION}`);
    expect(stack.resolve(env.selfServiceStateMachineArn)).toEqual(stack.resolve(env.selfService!.stateMachine.stateMachineArn));
    expect(stack.resolve(env.publicAccessRevertStateMachineArn)).toEqual(stack.resolve(env.publicAccessRevert!.stateMachine.stateMachineArn));
  });

  test.each([
    ['self-service', () => env.selfService!.role, 'test-env-self-service'],
    ['revert', () => env.publicAccessRevert!.role, 'test-env-public-access-revert'],
  ])('%s: Step Functions may assume the role for this account\'s state machine only (confused deputy), without waiting for it', (_name, role, name) => {
    const trust = resolved(resourceOf(role()).Properties.AssumeRolePolicyDocument);
    expect(trust.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'states.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: { 'aws:SourceArn': `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}` },
      },
    }]);
  });

  test('EventBridge may assume the revert\'s role for rules of this account and Region only', () => {
    const eventsRole = env.publicAccessRevert!.node.findChild('EventsRole') as iam.Role;
    const trust = resolved(resourceOf(eventsRole).Properties.AssumeRolePolicyDocument);
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnLike: { 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/*` },
    });
  });

  test('in an environment-agnostic stack the state machines keep their names and CloudFormation names the roles', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    const vpc = new ec2.Vpc(agnostic, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const e = new PrivateMwaaEnvironment(agnostic, 'Airflow', { environmentName: 'test-env', vpc, selfService: true, revertPublicAccess: true });
    const t = Template.fromStack(agnostic).toJSON();
    const of = (c: { node: { defaultChild?: unknown } }) => t.Resources[agnostic.getLogicalId(c.node.defaultChild as any)];
    expect(of(e.selfService!.stateMachine).Properties.StateMachineName).toBe('test-env-self-service');
    expect(of(e.selfService!.role).Properties.RoleName).toBeUndefined();
    expect(of(e.publicAccessRevert!.role).Properties.RoleName).toBeUndefined();
    expect(expectValidStateMachines(Template.fromStack(agnostic))).toBe(2);
  });
});

describe('the roles of the runtime parts and the policies they hold', () => {
  const { stack, env } = newEnvironment({ selfService: true, revertPublicAccess: true });
  const template = Template.fromStack(stack).toJSON();
  const resolved = (v: unknown) => resolveIntrinsics(v, { account: ACCOUNT, region: REGION, refs: {}, arns: {} });
  const logicalIdOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
  const eventsRole = () => env.publicAccessRevert!.node.findChild('EventsRole') as iam.Role;

  test('EventBridge, and no other service, may assume the revert\'s events role', () => {
    expect(resolved(template.Resources[logicalIdOf(eventsRole())].Properties.AssumeRolePolicyDocument).Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: { 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/*` },
      },
    }]);
  });

  test('the events role holds the policy that starts the revert, and only that', () => {
    const policy = template.Resources[logicalIdOf(env.publicAccessRevert!.node.findChild('EventsPolicy') as iam.ManagedPolicy)];
    expect(policy.Properties.Roles).toEqual([{ Ref: logicalIdOf(eventsRole()) }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'states:StartExecution',
      Resource: { Ref: logicalIdOf(env.publicAccessRevert!.stateMachine) },
    }]);
  });

  test.each([
    ['self-service', () => env.selfService!],
    ['revert', () => env.publicAccessRevert!],
  ])('%s: the policy is held by the role the state machine runs with', (_name, part) => {
    const policy = template.Resources[logicalIdOf(part().node.findChild('Policy') as iam.ManagedPolicy)];
    const roleId = logicalIdOf(part().role as iam.Role);
    expect(policy.Properties.Roles).toEqual([{ Ref: roleId }]);
    expect(template.Resources[logicalIdOf(part().stateMachine)].Properties.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  });

  test('with an environment name unknown at synth, Step Functions may assume the role for this account, with no state machine ARN to name', () => {
    const { stack: imported, env: other } = newEnvironment();
    const environment = PrivateMwaaEnvironment.fromEnvironmentAttributes(imported, 'Env', { environmentName: Fn.importValue('EnvironmentName'), executionRole: other.executionRole });
    const selfService = new MwaaSelfService(imported, 'SelfService', {
      environment, notificationTopic: other.notificationTopic, executionRole: other.executionRole, kmsKey: other.kmsKey,
    });
    const role = Template.fromStack(imported).toJSON().Resources[imported.getLogicalId(selfService.role.node.defaultChild as any)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'states.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    }]);
  });
});

describe('the updater key warning', () => {
  test('stays away when `kmsKey` is given, and the policy may use that key', () => {
    const { stack, env } = newEnvironment();
    new MwaaSelfService(stack, 'SelfService', { environment: env, notificationTopic: env.notificationTopic, executionRole: env.executionRole, kmsKey: env.kmsKey });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('`kmsKey` is not set'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:updaterKey'))).toEqual([]);
    const resources = Template.fromStack(stack).toJSON().Resources;
    const policy = Object.values<any>(resources).find(r => r.Type === 'AWS::IAM::ManagedPolicy' && r.Properties.Description?.startsWith('Update the Amazon MWAA'));
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('kms:CreateGrant');
  });
});
