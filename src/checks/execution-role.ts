import { EnvironmentUnderCheck, MwaaRuleSpec } from './rule';
import { actionMatches, list, TemplateView, text } from './template';
import { SERVICE_PRINCIPALS } from '../private/mwaa';

/**
 * The execution role rules: its trust policy, what it may do, and no write on every resource. They
 * run only when the role is defined in the app.
 */

function executionRole(env: EnvironmentUnderCheck): string | undefined {
  const id = env.template.target(env.props.ExecutionRoleArn);
  return id && env.template.resources[id].Type === 'AWS::IAM::Role' ? id : undefined;
}

/** A rule on the execution role, run only when the role is defined in the app. */
function roleRule(id: string, description: string, check: (env: EnvironmentUnderCheck, roleId: string) => string[]): MwaaRuleSpec {
  return {
    id,
    description,
    severity: 'error',
    location: 'Properties.ExecutionRoleArn',
    check: env => {
      const roleId = executionRole(env);
      return roleId ? check(env, roleId) : [];
    },
  };
}

/** Every statement of every policy attached to the role in the template. */
function roleStatements(t: TemplateView, roleId: string): any[] {
  const role = t.resources[roleId];
  const statements: any[] = [];
  for (const inline of list(role.Properties?.Policies)) {
    statements.push(...list(inline.PolicyDocument?.Statement));
  }
  for (const [id, policy] of [...t.ofType('AWS::IAM::Policy'), ...t.ofType('AWS::IAM::ManagedPolicy')]) {
    const attached = list(policy.Properties?.Roles).some(r => t.refersTo(r, roleId))
      || list(role.Properties?.ManagedPolicyArns).some(arn => t.refersTo(arn, id));
    if (attached) {
      statements.push(...list(policy.Properties?.PolicyDocument?.Statement));
    }
  }
  return statements;
}

function allows(statements: any[], action: string): boolean {
  return statements.some(s => s.Effect === 'Allow' && list<string>(s.Action).some(a => actionMatches(a, action)));
}

const WRITE_VERBS = /^(put|delete|create|update|send|write|attach|detach|pass|modify|tag|untag|remove|add|set|change|start|stop|invoke|publish|run|restore|replace|associate|disassociate|enable|disable|terminate|import|copy|upload|reboot|revoke|authorize|\*)/i;
/** Write actions MWAA needs on `*` because they have no resource-level permissions. */
const STAR_WRITES_MWAA_NEEDS = ['cloudwatch:PutMetricData'];

/** The execution role's trust and permissions. */
export const EXECUTION_ROLE_RULES: MwaaRuleSpec[] = [
  roleRule('MWAA-ExecutionRole-Trust', `The execution role trusts ${SERVICE_PRINCIPALS.join(' and ')} with aws:SourceArn and aws:SourceAccount conditions.`, (env, roleId) => {
    const statements = list(env.template.resources[roleId].Properties?.AssumeRolePolicyDocument?.Statement)
      .filter((s: any) => s.Effect === 'Allow' && list<string>(s.Action).some(a => actionMatches(a, 'sts:AssumeRole')));
    const problems: string[] = [];
    for (const service of SERVICE_PRINCIPALS) {
      const statement = statements.find((s: any) => list(s.Principal?.Service).map(text).includes(service));
      if (!statement) {
        problems.push(`The trust policy does not let ${service} assume the role. Add it.`);
        continue;
      }
      const keys = Object.values(statement.Condition ?? {}).flatMap(c => Object.keys(c as object)).map(k => k.toLowerCase());
      for (const key of ['aws:SourceArn', 'aws:SourceAccount']) {
        if (!keys.includes(key.toLowerCase())) {
          problems.push(`The trust statement for ${service} has no ${key} condition (confused-deputy prevention). Add ${key} for this environment.`);
        }
      }
    }
    return problems;
  }),
  roleRule('MWAA-ExecutionRole-Permissions', 'The execution role may do what MWAA needs, and listing all buckets is denied.', (env, roleId) => {
    const statements = roleStatements(env.template, roleId);
    const needed = [
      'airflow:PublishMetrics', 'sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueUrl',
      'logs:CreateLogStream', 'logs:PutLogEvents', 'cloudwatch:PutMetricData', 's3:GetObject', 's3:ListBucket',
      ...(env.props.KmsKey !== undefined ? ['kms:Decrypt', 'kms:GenerateDataKey'] : []),
    ];
    const problems = needed.filter(a => !allows(statements, a)).map(a => `The execution role is not allowed ${a}. Attach the documented execution role policy.`);
    if (env.props.KmsKey !== undefined) {
      const kms = statements.filter(s => s.Effect === 'Allow' && list<string>(s.Action).some(a => actionMatches(a, 'kms:Decrypt')));
      const via = kms.flatMap(s => Object.values(s.Condition ?? {}).flatMap((c: any) => list(c['kms:ViaService']).map(text)));
      if (kms.length > 0 && via.length > 0 && !(via.some(v => v.startsWith('sqs.')) && via.some(v => v.startsWith('s3.')))) {
        problems.push('The key may be used only through some services; MWAA uses it through SQS and S3. Allow kms:ViaService sqs.<region> and s3.<region>.');
      }
    }
    const denied = statements.some(s => s.Effect === 'Deny' && list<string>(s.Action).some(a => actionMatches(a, 's3:ListAllMyBuckets')));
    if (!denied) {
      problems.push('The execution role policy does not deny s3:ListAllMyBuckets, which the documented policy does.');
    }
    return problems;
  }),
  roleRule('MWAA-ExecutionRole-WildcardWrite', 'The execution role has no write action on every resource.', (env, roleId) => {
    return roleStatements(env.template, roleId)
      .filter(s => s.Effect === 'Allow' && list(s.Resource).includes('*'))
      .flatMap(s => list<string>(s.Action))
      .filter(a => !STAR_WRITES_MWAA_NEEDS.includes(a) && (a === '*' || WRITE_VERBS.test(a.split(':')[1] ?? '')))
      .map(a => `The execution role may ${a} on every resource (*). Scope it to the resources the environment uses.`);
  }),
];
