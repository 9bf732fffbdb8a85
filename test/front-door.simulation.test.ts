import { runSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AirflowRole, FrontDoorSignIn, PrivateMwaaEnvironment } from '../src';
import { ACCOUNT, newStack, newVpc, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';

/**
 * The front door's IAM, resolved to concrete ARNs and run through an IAM policy simulator: the
 * login function may assume the login roles and nothing else; each login role may create a web
 * login token for its own Airflow role in this environment and nothing else; only the function's
 * role may assume a login role.
 *
 * Decision: one IAM role per mapped Airflow role, assumed per sign-in with the user as the session
 * name. A single role allowed every mapped Airflow role would work too, but then every person would
 * share one IAM identity (and MWAA derives the Airflow user from it), and a bug in the mapping could
 * not be told apart from a grant in CloudTrail.
 */
// A test shim for iam-simulate 0.1.173: give a resource policy loaded without metadata a name.
jest.mock('@cloud-copilot/iam-policy', () => {
  const actual = jest.requireActual('@cloud-copilot/iam-policy');
  return { ...actual, loadPolicy: (policy: unknown, metadata?: object) => actual.loadPolicy(policy, metadata ?? { name: 'ResourcePolicy' }) };
});

type Result = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

const ENV = 'analytics';
const FUNCTION_ROLE = 'front-door-login-function-role';
const FUNCTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${FUNCTION_ROLE}`;
const FUNCTION_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/${FUNCTION_ROLE}/front-door-login`;
const LOGIN_ROLE_ARN = (role: string) => `arn:aws:iam::${ACCOUNT}:role/front-door-${role.toLowerCase()}`;
const AIRFLOW_ROLE_ARN = (env: string, role: string) => `arn:aws:airflow:${REGION}:${ACCOUNT}:role/${env}/${role}`;
const ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/${ENV}`;

function synthesize() {
  const stack = newStack();
  const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: ENV, vpc: newVpc(stack) });
  const frontDoor = env.addFrontDoor('FrontDoor', {
    hostName: 'airflow.example.com',
    hostedZone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }),
    signIn: FrontDoorSignIn.oidc({
      issuer: 'https://login.example.com',
      authorizationEndpoint: 'https://login.example.com/authorize',
      tokenEndpoint: 'https://login.example.com/token',
      userInfoEndpoint: 'https://login.example.com/userinfo',
      clientId: 'client',
      clientSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'front-door'),
    }),
    groups: [
      { group: 'airflow-admins', airflowRole: AirflowRole.ADMIN },
      { group: 'analysts', airflowRole: AirflowRole.VIEWER },
    ],
    targetRefresh: 'test',
  });
  const template = Template.fromStack(stack).toJSON();
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild ?? c);
  const functionRoleId = id(frontDoor.loginFunction.role);
  const loginRoleIds = Object.fromEntries(['Admin', 'Viewer'].map(r => [r, id(frontDoor.loginRole(r as AirflowRole))]));
  const logGroupId = Object.keys(template.Resources).find(k => template.Resources[k].Type === 'AWS::Logs::LogGroup' && k.includes('FrontDoorLoginLogs'))!;
  const options = {
    account: ACCOUNT,
    region: REGION,
    refs: { [functionRoleId]: FUNCTION_ROLE, ...Object.fromEntries(Object.entries(loginRoleIds).map(([r, lid]) => [lid, `front-door-${r.toLowerCase()}`])) },
    arns: {
      [functionRoleId]: FUNCTION_ROLE_ARN,
      ...Object.fromEntries(Object.entries(loginRoleIds).map(([r, lid]) => [lid, LOGIN_ROLE_ARN(r)])),
      [logGroupId]: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:cdk-private-mwaa-${ENV}-FrontDoorLogin:*`,
    },
  };
  const policyAttachedTo = (roleId: string) => Object.values<any>(template.Resources)
    .filter(r => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .map(r => resolveIntrinsics(r.Properties.PolicyDocument, options));
  return {
    functionPolicies: policyAttachedTo(functionRoleId),
    loginPolicies: Object.fromEntries(Object.entries(loginRoleIds).map(([r, lid]) => [r, policyAttachedTo(lid)])),
    trustPolicies: Object.fromEntries(Object.entries(loginRoleIds).map(([r, lid]) =>
      [r, resolveIntrinsics(template.Resources[lid].Properties.AssumeRolePolicyDocument, options)])),
    inlinePolicies: Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties.Roles).match(new RegExp(`${functionRoleId}|${Object.values(loginRoleIds).join('|')}`))),
  };
}

const synthesized = synthesize();

async function simulate(simulation: Simulation): Promise<Result> {
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Result;
}

async function asIdentity(policies: unknown[], principal: string, action: string, resource: string): Promise<Result> {
  return simulate({
    identityPolicies: policies.map((policy, i) => ({ name: `Policy${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
  });
}

test('every policy of the front door\'s roles is a customer managed policy; none is inline', () => {
  expect(synthesized.functionPolicies).toHaveLength(1);
  expect(synthesized.loginPolicies.Admin).toHaveLength(1);
  expect(synthesized.loginPolicies.Viewer).toHaveLength(1);
  expect(synthesized.inlinePolicies).toEqual([]);
});

describe('each login role may create a web login token for its own Airflow role only', () => {
  const session = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/front-door-${role.toLowerCase()}/jane.doe@example.com`;

  test.each([['Admin'], ['Viewer']])('%s: allowed for its Airflow role in this environment', async (role) => {
    expect(await asIdentity(synthesized.loginPolicies[role], session(role), 'airflow:CreateWebLoginToken', AIRFLOW_ROLE_ARN(ENV, role))).toBe('Allowed');
  });

  test.each([
    ['Viewer', 'another Airflow role (Admin)', 'airflow:CreateWebLoginToken', AIRFLOW_ROLE_ARN(ENV, 'Admin')],
    ['Viewer', 'the unmapped Op role', 'airflow:CreateWebLoginToken', AIRFLOW_ROLE_ARN(ENV, 'Op')],
    ['Admin', 'the same role in another environment', 'airflow:CreateWebLoginToken', AIRFLOW_ROLE_ARN('other-env', 'Admin')],
    ['Admin', 'the same role in another Region', 'airflow:CreateWebLoginToken', `arn:aws:airflow:us-east-1:${ACCOUNT}:role/${ENV}/Admin`],
    ['Admin', 'the REST API as its role', 'airflow:InvokeRestApi', AIRFLOW_ROLE_ARN(ENV, 'Admin')],
    ['Admin', 'a CLI token', 'airflow:CreateCliToken', ENV_ARN],
    ['Admin', 'an update of the environment', 'airflow:UpdateEnvironment', ENV_ARN],
    ['Admin', 'assuming another login role', 'sts:AssumeRole', LOGIN_ROLE_ARN('Viewer')],
  ])('%s: denied for %s', async (role, _name, action, resource) => {
    expect(await asIdentity(synthesized.loginPolicies[role], session(role), action, resource)).toBe('ImplicitlyDenied');
  });
});

describe('the login function may assume the login roles and write its logs, nothing else', () => {
  test.each([['Admin'], ['Viewer']])('assume the %s login role', async (role) => {
    expect(await asIdentity(synthesized.functionPolicies, FUNCTION_SESSION, 'sts:AssumeRole', LOGIN_ROLE_ARN(role))).toBe('Allowed');
  });

  test('write its log stream', async () => {
    expect(await asIdentity(synthesized.functionPolicies, FUNCTION_SESSION, 'logs:PutLogEvents',
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:cdk-private-mwaa-${ENV}-FrontDoorLogin:log-stream:2026/12/04/abc`)).toBe('Allowed');
  });

  test.each([
    ['create a token itself', 'airflow:CreateWebLoginToken', AIRFLOW_ROLE_ARN(ENV, 'Admin')],
    ['assume the execution role or any other role', 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/analytics-execution-role`],
    ['write the environment\'s task logs', 'logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:airflow-${ENV}-Task:log-stream:x`],
  ])('not %s', async (_name, action, resource) => {
    expect(await asIdentity(synthesized.functionPolicies, FUNCTION_SESSION, action, resource)).toBe('ImplicitlyDenied');
  });
});

describe('only the login function\'s role may assume a login role', () => {
  async function assume(role: string, principal: string, principalArn: string): Promise<Result> {
    return simulate({
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: synthesized.trustPolicies[role],
      request: {
        principal,
        action: 'sts:AssumeRole',
        resource: { resource: LOGIN_ROLE_ARN(role), accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': principalArn },
      },
    });
  }

  test.each([['Admin'], ['Viewer']])('%s: the function\'s role', async (role) => {
    expect(await assume(role, FUNCTION_SESSION, FUNCTION_ROLE_ARN)).toBe('Allowed');
  });

  test.each([
    ['another role of the account', `arn:aws:sts::${ACCOUNT}:assumed-role/developer/jane`, `arn:aws:iam::${ACCOUNT}:role/developer`],
    ['a role of another account with the same name', `arn:aws:sts::444444444444:assumed-role/${FUNCTION_ROLE}/x`, `arn:aws:iam::444444444444:role/${FUNCTION_ROLE}`],
  ])('Admin: not %s', async (_name, principal, principalArn) => {
    expect(await assume('Admin', principal, principalArn)).not.toBe('Allowed');
  });
});
