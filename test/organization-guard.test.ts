import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { GuardedEnvironment, MwaaOrganizationGuard, MwaaOrganizationGuardProps, PrivateMwaaEnvironment } from '../src';
import { SCP_MAX_CHARACTERS } from '../src/organization-guard';
import { ACCOUNT, newVpc, REGION } from './support/fixtures';
import { runtimeRoleArn, RuntimePart } from '../src/private/runtime-names';

const MANAGEMENT = '999999999999';
const OTHER_ACCOUNT = '222222222222';
const ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/analytics`;
const CFN_EXEC = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
const SELF_SERVICE = `arn:aws:iam::${ACCOUNT}:role/analytics-self-service-${REGION}`;
const REVERT = `arn:aws:iam::${ACCOUNT}:role/analytics-public-access-revert-${REGION}`;
const ACTIONS = ['airflow:CreateEnvironment', 'airflow:UpdateEnvironment'];

function managementStack(app: App): Stack {
  return new Stack(app, 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
}

/** An environment of the app in a stack with a literal account and Region. */
function environment(app: App, props: { selfService?: boolean; revertPublicAccess?: boolean; name?: string } = {}, stackProps: object = {}) {
  const stack = new Stack(app, `Workload${app.node.children.length}`, { env: { account: ACCOUNT, region: REGION }, ...stackProps });
  return new PrivateMwaaEnvironment(stack, 'Airflow', {
    environmentName: props.name ?? 'analytics',
    vpc: newVpc(stack),
    selfService: props.selfService,
    revertPublicAccess: props.revertPublicAccess,
  });
}

function guard(environments: GuardedEnvironment[], extra: Partial<MwaaOrganizationGuardProps> = {}) {
  const app = new App();
  const stack = managementStack(app);
  const construct = new MwaaOrganizationGuard(stack, 'Guard', { environments, targetIds: ['ou-ab12-cdef5678'], ...extra });
  return { stack, construct, template: Template.fromStack(stack) };
}

describe('runtimeRoleArn', () => {
  test('is the literal ARN of the deterministic role name', () => {
    expect(runtimeRoleArn('aws', ACCOUNT, 'analytics', REGION, RuntimePart.SELF_SERVICE)).toBe(SELF_SERVICE);
    expect(runtimeRoleArn('aws-cn', ACCOUNT, 'analytics', 'cn-north-1', RuntimePart.PUBLIC_ACCESS_REVERT))
      .toBe(`arn:aws-cn:iam::${ACCOUNT}:role/analytics-public-access-revert-cn-north-1`);
  });

  test('refuses an unresolved partition or account', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => runtimeRoleArn(stack.partition, ACCOUNT, 'analytics', REGION, RuntimePart.SELF_SERVICE)).toThrow(/partition and the account must be known at synth time .*self-service.*got a token/);
    expect(() => runtimeRoleArn('aws', stack.account, 'analytics', REGION, RuntimePart.SELF_SERVICE)).toThrow(/partition and the account must be known/);
  });
});

describe('GuardedEnvironment.fromEnvironment', () => {
  test('exempts the default CDK execution role, and the self-service and revert roles the environment has', () => {
    const env = environment(new App(), { selfService: true, revertPublicAccess: true });
    const guarded = GuardedEnvironment.fromEnvironment(env);
    expect(guarded.environmentArn).toBe(ENV_ARN);
    expect(guarded.exemptPrincipalArns).toEqual([CFN_EXEC, SELF_SERVICE, REVERT]);
  });

  test('an environment without self-service or revert exempts only the execution role', () => {
    const guarded = GuardedEnvironment.fromEnvironment(environment(new App()));
    expect(guarded.exemptPrincipalArns).toEqual([CFN_EXEC]);
  });

  test('self-service alone exempts its role and not the revert role', () => {
    const guarded = GuardedEnvironment.fromEnvironment(environment(new App(), { selfService: true }));
    expect(guarded.exemptPrincipalArns).toEqual([CFN_EXEC, SELF_SERVICE]);
  });

  test("the stack synthesizer's qualifier names the execution role", () => {
    const env = environment(new App(), {}, { synthesizer: new DefaultStackSynthesizer({ qualifier: 'team42' }) });
    expect(GuardedEnvironment.fromEnvironment(env).exemptPrincipalArns).toEqual([`arn:aws:iam::${ACCOUNT}:role/cdk-team42-cfn-exec-role-${ACCOUNT}-${REGION}`]);
  });

  test("the synthesizer's own execution role is used when it names one", () => {
    const env = environment(new App(), {}, { synthesizer: new DefaultStackSynthesizer({ cloudFormationExecutionRole: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deployer' }) });
    expect(GuardedEnvironment.fromEnvironment(env).exemptPrincipalArns).toEqual([`arn:aws:iam::${ACCOUNT}:role/deployer`]);
  });

  test('another synthesizer needs the deploying principal named', () => {
    const app = new App();
    const env = environment(app, {}, { synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => GuardedEnvironment.fromEnvironment(env)).toThrow(
      `GuardedEnvironment.fromEnvironment(${env.node.path}): its stack is not synthesized with DefaultStackSynthesizer, so name the principal CloudFormation deploys it with in \`cloudFormationExecutionRoleArn\`, got: CliCredentialsStackSynthesizer`);
    expect(GuardedEnvironment.fromEnvironment(env, { cloudFormationExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/Deployer` }).exemptPrincipalArns)
      .toEqual([`arn:aws:iam::${ACCOUNT}:role/Deployer`]);
  });

  test('options override the qualifier and the role', () => {
    const app = new App();
    expect(GuardedEnvironment.fromEnvironment(environment(app), { bootstrapQualifier: 'abc' }).exemptPrincipalArns)
      .toEqual([`arn:aws:iam::${ACCOUNT}:role/cdk-abc-cfn-exec-role-${ACCOUNT}-${REGION}`]);
    expect(GuardedEnvironment.fromEnvironment(environment(app, { name: 'other' }), { cloudFormationExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline` }).exemptPrincipalArns)
      .toEqual([`arn:aws:iam::${ACCOUNT}:role/pipeline`]);
  });

  test('an environment whose stack has no literal account and Region is refused, naming both', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'analytics', vpc: newVpc(stack) });
    expect(() => GuardedEnvironment.fromEnvironment(env)).toThrow(
      'GuardedEnvironment.fromEnvironment(Agnostic/Airflow): a service control policy names the environment literally, so the account of its stack, the Region of its stack must be known at synth time (give the stack an `env` with account and region), got: unresolved the account of its stack, the Region of its stack');
  });

  test('an unresolved environment name is refused', () => {
    const stack = new Stack(new App(), 'Named', { env: { account: ACCOUNT, region: REGION } });
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: Lazy.string({ produce: () => 'late' }), vpc: newVpc(stack) });
    expect(() => GuardedEnvironment.fromEnvironment(env)).toThrow(/so the environment name must be known at synth time/);
  });
});

describe('GuardedEnvironment.fromAttributes', () => {
  const base = { environmentName: 'analytics', account: ACCOUNT, region: REGION };

  test('names the roles from the flags', () => {
    const both = GuardedEnvironment.fromAttributes({ ...base, selfService: true, publicAccessRevert: true });
    expect(both.exemptPrincipalArns).toEqual([CFN_EXEC, SELF_SERVICE, REVERT]);
    expect(GuardedEnvironment.fromAttributes({ ...base, publicAccessRevert: true }).exemptPrincipalArns).toEqual([CFN_EXEC, REVERT]);
  });

  test('the partition follows the Region, or the one given', () => {
    const gov = GuardedEnvironment.fromAttributes({ ...base, region: 'us-gov-west-1' });
    expect(gov.environmentArn).toBe(`arn:aws-us-gov:airflow:us-gov-west-1:${ACCOUNT}:environment/analytics`);
    expect(gov.exemptPrincipalArns).toEqual([`arn:aws-us-gov:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-gov-west-1`]);
    expect(GuardedEnvironment.fromAttributes({ ...base, region: 'xx-newplace-7', partition: 'aws' }).environmentArn)
      .toBe(`arn:aws:airflow:xx-newplace-7:${ACCOUNT}:environment/analytics`);
  });

  test.each([
    ['an invalid name', { environmentName: '1bad' }, "`environmentName` must start with a letter and contain only letters, digits, hyphens and underscores, got: '1bad'"],
    ['a short account', { account: '12345' }, "`account` must be a 12-digit AWS account id, got: '12345'"],
    ['a bad Region', { region: 'Europe' }, "GuardedEnvironment.fromAttributes: `region` must be a Region name such as eu-west-1, got: 'Europe'"],
    ['a Region of unknown partition', { region: 'xx-newplace-7' }, "GuardedEnvironment.fromAttributes: the partition of Region xx-newplace-7 is not known to this CDK version; give `partition` (aws, aws-cn, aws-us-gov...), got: no partition for 'xx-newplace-7'"],
    ['a bad partition', { partition: 'amazon' }, "GuardedEnvironment.fromAttributes: `partition` must be a partition name such as aws or aws-cn, got: 'amazon'"],
    ['a session ARN as execution role', { cloudFormationExecutionRoleArn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/session` }, 'an STS session ARN never matches'],
    ['an unresolved account', { account: Lazy.string({ produce: () => ACCOUNT }) }, 'GuardedEnvironment.fromAttributes: `account` must be known at synth time, since a service control policy names the environment literally, got: an unresolved token'],
  ])('refuses %s', (_name, override, message) => {
    expect(() => GuardedEnvironment.fromAttributes({ ...base, ...override })).toThrow(message);
  });
});

describe('MwaaOrganizationGuard', () => {
  test('emits a service control policy denying create and update to all but the exempt principals, attached to the targets', () => {
    const env = environment(new App(), { selfService: true, revertPublicAccess: true });
    const { template } = guard([GuardedEnvironment.fromEnvironment(env)], {
      targetIds: ['r-ab12', '123456789012', 'ou-ab12-cdef5678'],
      exemptPrincipalArns: ['arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BreakGlass_*'],
      policyName: 'mwaa-guard',
    });
    template.resourceCountIs('AWS::Organizations::Policy', 1);
    template.hasResourceProperties('AWS::Organizations::Policy', {
      Name: 'mwaa-guard',
      Type: 'SERVICE_CONTROL_POLICY',
      TargetIds: ['r-ab12', '123456789012', 'ou-ab12-cdef5678'],
      Content: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Deny',
          Action: ACTIONS,
          Resource: ENV_ARN,
          Condition: { ArnNotLike: { 'aws:PrincipalArn': [CFN_EXEC, SELF_SERVICE, REVERT, 'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BreakGlass_*'] } },
        }],
      },
    });
  });

  test('one statement per environment, so exempt roles stay with their environment', () => {
    const { template } = guard([
      GuardedEnvironment.fromAttributes({ environmentName: 'analytics', account: ACCOUNT, region: REGION, selfService: true }),
      GuardedEnvironment.fromAttributes({ environmentName: 'reporting', account: OTHER_ACCOUNT, region: REGION }),
    ]);
    const content = template.findResources('AWS::Organizations::Policy');
    const statements = Object.values(content)[0].Properties.Content.Statement;
    expect(statements).toEqual([
      { Effect: 'Deny', Action: ACTIONS, Resource: ENV_ARN, Condition: { ArnNotLike: { 'aws:PrincipalArn': [CFN_EXEC, SELF_SERVICE] } } },
      {
        Effect: 'Deny',
        Action: ACTIONS,
        Resource: `arn:aws:airflow:${REGION}:${OTHER_ACCOUNT}:environment/reporting`,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [`arn:aws:iam::${OTHER_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${OTHER_ACCOUNT}-${REGION}`] } },
      },
    ]);
  });

  test('the default name comes from the construct path and fits the 128-character limit', () => {
    const { template } = guard([GuardedEnvironment.fromAttributes({ environmentName: 'analytics', account: ACCOUNT, region: REGION })]);
    const policy = Object.values(template.findResources('AWS::Organizations::Policy'))[0];
    expect(policy.Properties.Name).toMatch(/^ManagementGuard[0-9A-F]{8}$/);
  });

  const one = () => [GuardedEnvironment.fromAttributes({ environmentName: 'analytics', account: ACCOUNT, region: REGION })];

  test.each([
    ['r-ab12'], ['r-' + 'a'.repeat(32)], ['123456789012'], ['ou-ab12-cdef5678'], ['ou-' + 'a'.repeat(32) + '-' + '9'.repeat(32)],
  ])('accepts the target %s', (target) => {
    expect(() => guard(one(), { targetIds: [target] })).not.toThrow();
  });

  test.each([
    ['r-ab1'], ['r-AB12'], ['12345678901'], ['1234567890123'], ['ou-ab12-cdef567'], ['ou-ab1-cdef5678'], ['o-ab12cdef56'], ['arn:aws:organizations::999999999999:ou/o-x/ou-ab12-cdef5678'],
  ])('refuses the target %s', (target) => {
    expect(() => guard(one(), { targetIds: [target] })).toThrow(
      `\`targetIds\` must hold root ids (r-...), organizational unit ids (ou-...-...) or 12-digit account ids, got: '${target}'`);
  });

  test.each([
    ['no environments', { environments: [] }, '`environments` must name at least one environment, got: an empty list'],
    ['no targets', { targetIds: [] }, '`targetIds` must name at least one root, organizational unit or account, got: an empty list'],
    ['an exempt session ARN', { exemptPrincipalArns: [`arn:aws:sts::${ACCOUNT}:assumed-role/admin/me`] }, `\`exemptPrincipalArns[0]\` must be an IAM role, user or root ARN as \`aws:PrincipalArn\` holds it (arn:<partition>:iam::<account>:role/<name>; an STS session ARN never matches), got: 'arn:aws:sts::${ACCOUNT}:assumed-role/admin/me'`],
    ['an exempt token', { exemptPrincipalArns: [Lazy.string({ produce: () => 'x' })] }, '`exemptPrincipalArns[0]` must be a literal ARN, since a service control policy cannot reference a stack, got: an unresolved token'],
    ['a long name', { policyName: 'p'.repeat(129) }, '`policyName` must be 1 to 128 characters long, got: 129 characters'],
  ])('refuses %s', (_name, override, message) => {
    expect(() => guard(one(), override as Partial<MwaaOrganizationGuardProps>)).toThrow(message);
  });

  test('accepts role, user and root ARNs with wildcards as exempt principals', () => {
    expect(() => guard(one(), {
      exemptPrincipalArns: [`arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::*:role/BreakGlass?'],
    })).not.toThrow();
  });

  test('warns once when an environment is in the account of its own stack, likely the management account', () => {
    const app = new App();
    const stack = managementStack(app);
    new MwaaOrganizationGuard(stack, 'Guard', {
      environments: [
        GuardedEnvironment.fromAttributes({ environmentName: 'analytics', account: ACCOUNT, region: REGION }),
        GuardedEnvironment.fromAttributes({ environmentName: 'ops', account: MANAGEMENT, region: REGION }),
        GuardedEnvironment.fromAttributes({ environmentName: 'ops-2', account: MANAGEMENT, region: 'us-east-1' }),
      ],
      targetIds: ['r-ab12'],
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:guardOwnAccount')).map(w => w.entry.data);
    expect(warnings).toEqual([
      `\`environments\`: ops, ops-2 are in the account of this stack (${MANAGEMENT}). If it is the organization's management account, `
      + 'the service control policy does not apply there (SCPs never restrict the management account): move the environments to member accounts. '
      + 'If this stack is in a delegated administrator account for policies, acknowledge this warning. [ack: cdk-private-mwaa:guardOwnAccount]',
    ]);
    const { stack: other } = guard(one());
    expect(Annotations.fromStack(other).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('refuses the same environment twice', () => {
    expect(() => guard([...one(), ...one()])).toThrow(`\`environments\` must name each environment once, got: ${ENV_ARN} twice`);
  });

  describe('the 5,120-character quota, measured on the compact JSON', () => {
    // Pad an exempt principal so that the document is exactly `length` characters long.
    const sized = (length: number) => {
      const probe = guard(one(), { exemptPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/r`] }).construct.policyLength;
      return [`arn:aws:iam::${ACCOUNT}:role/r${'x'.repeat(length - probe)}`];
    };

    test('a document of exactly 5,120 characters is accepted, and the length is what Organizations would count', () => {
      const { construct, template } = guard(one(), { exemptPrincipalArns: sized(SCP_MAX_CHARACTERS) });
      expect(construct.policyLength).toBe(5120);
      const content = Object.values(template.findResources('AWS::Organizations::Policy'))[0].Properties.Content;
      expect(JSON.stringify(content).length).toBe(5120);
    });

    test('one character more is refused with the count', () => {
      expect(() => guard(one(), { exemptPrincipalArns: sized(SCP_MAX_CHARACTERS + 1) })).toThrow(
        'the service control policy of `environments` must be at most 5120 characters (the AWS Organizations quota); split the 1 environments across several MwaaOrganizationGuard constructs, or shorten `exemptPrincipalArns`, got: 5121 characters');
    });

    test('ten environments with self-service and revert fit in one policy, twenty do not', () => {
      const many = (n: number) => Array.from({ length: n }, (_, i) => GuardedEnvironment.fromAttributes({
        environmentName: `environment-${i}`, account: ACCOUNT, region: REGION, selfService: true, publicAccessRevert: true,
      }));
      expect(() => guard(many(10))).not.toThrow();
      expect(() => guard(many(20))).toThrow(/split the 20 environments/);
    });
  });
});

describe('the policy, simulated as a service control policy of the member account', () => {
  const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const OTHER_ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/not-guarded`;
  const { template } = guard([GuardedEnvironment.fromAttributes({ environmentName: 'analytics', account: ACCOUNT, region: REGION, selfService: true, publicAccessRevert: true })], {
    exemptPrincipalArns: ['arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BreakGlass_*'],
  });
  const scp = Object.values(template.findResources('AWS::Organizations::Policy'))[0].Properties.Content;

  /** A call by a session of `roleArn`, which has administrator permissions in the account. */
  async function call(roleArn: string, action: string, resource: string): Promise<string> {
    const response = await runSimulation({
      identityPolicies: [{ name: 'Admin', policy: ADMIN }],
      serviceControlPolicies: [
        { orgIdentifier: 'r-ab12', policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }] },
        { orgIdentifier: ACCOUNT, policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }, { name: 'MwaaGuard', policy: scp }] },
      ],
      resourceControlPolicies: [],
      request: {
        // A role session's ARN drops the role's path; aws:PrincipalArn is the role's ARN.
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split('/').pop()}/session`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': roleArn },
      },
    }, {});
    if (response.resultType === 'error') {
      throw new Error(`simulation rejected: ${JSON.stringify(response.errors)}`);
    }
    return response.overallResult;
  }

  test.each([
    ['the self-service role updates', SELF_SERVICE, 'airflow:UpdateEnvironment'],
    ['the revert role updates', REVERT, 'airflow:UpdateEnvironment'],
    ['the CloudFormation execution role updates', CFN_EXEC, 'airflow:UpdateEnvironment'],
    ['the CloudFormation execution role creates', CFN_EXEC, 'airflow:CreateEnvironment'],
    ['an exempt break-glass Identity Center role updates', `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BreakGlass_0123456789abcdef`, 'airflow:UpdateEnvironment'],
    ['another role reads the environment', `arn:aws:iam::${ACCOUNT}:role/Developer`, 'airflow:GetEnvironment'],
    ['another role deletes the environment (not guarded)', `arn:aws:iam::${ACCOUNT}:role/Developer`, 'airflow:DeleteEnvironment'],
  ])('allowed: %s', async (_name, role, action) => {
    expect(await call(role, action, ENV_ARN)).toBe('Allowed');
  });

  test.each([
    ['an administrator role updates', `arn:aws:iam::${ACCOUNT}:role/Admin`, 'airflow:UpdateEnvironment'],
    ['an administrator role creates it again', `arn:aws:iam::${ACCOUNT}:role/Admin`, 'airflow:CreateEnvironment'],
    ['a role named like the self-service role in a path', `arn:aws:iam::${ACCOUNT}:role/x/analytics-self-service-${REGION}`, 'airflow:UpdateEnvironment'],
    ['the self-service role of another environment', `arn:aws:iam::${ACCOUNT}:role/reporting-self-service-${REGION}`, 'airflow:UpdateEnvironment'],
    ['the CDK deploy role (CloudFormation acts through the execution role)', `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-${REGION}`, 'airflow:UpdateEnvironment'],
    ['an Identity Center role that is not the break-glass one', `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`, 'airflow:UpdateEnvironment'],
  ])('denied: %s', async (_name, role, action) => {
    expect(await call(role, action, ENV_ARN)).toBe('ExplicitlyDenied');
  });

  test('an environment that is not listed is untouched', async () => {
    expect(await call(`arn:aws:iam::${ACCOUNT}:role/Admin`, 'airflow:UpdateEnvironment', OTHER_ENV_ARN)).toBe('Allowed');
    expect(await call(`arn:aws:iam::${ACCOUNT}:role/Admin`, 'airflow:CreateEnvironment', OTHER_ENV_ARN)).toBe('Allowed');
  });
});
