// Integration test app: prevention for the organization. A workload account's environment with
// self-service and the public access revert, and, in the management account's stack, the service
// control policy that lets only the CloudFormation execution role, the self-service role and the
// revert role create or update it. The account ids and the OU id are placeholders: deploying this
// app needs an organization (set MWAA_INTEG_WORKLOAD_ACCOUNT, MWAA_INTEG_MANAGEMENT_ACCOUNT and
// MWAA_INTEG_TARGET_ID). Checked offline against its committed snapshot (`npm run integ`).
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GuardedEnvironment, MwaaOrganizationGuard, PrivateMwaaEnvironment } from '../src';

const region = 'eu-west-1';
const workloadAccount = process.env.MWAA_INTEG_WORKLOAD_ACCOUNT ?? '111111111111';
const managementAccount = process.env.MWAA_INTEG_MANAGEMENT_ACCOUNT ?? '999999999999';
const targetId = process.env.MWAA_INTEG_TARGET_ID ?? 'ou-ab12-cdef5678';

// Zones named here, so that synthesis needs no context lookup in the account.
const zones = [`${region}a`, `${region}b`];
const app = new App({ context: { [`availability-zones:account=${workloadAccount}:region=${region}`]: zones } });
const workload = new Stack(app, 'MwaaGuardedWorkload', { env: { account: workloadAccount, region } });
const vpc = new ec2.Vpc(workload, 'Vpc', { availabilityZones: zones, natGateways: 1 });
const environment = new PrivateMwaaEnvironment(workload, 'Airflow', {
  environmentName: 'integ-guarded',
  vpc,
  selfService: true,
  revertPublicAccess: true,
});

// Organizations is a global service homed in us-east-1; the management account's stack lives there.
const management = new Stack(app, 'MwaaOrganizationGuard', { env: { account: managementAccount, region: 'us-east-1' } });
new MwaaOrganizationGuard(management, 'Guard', {
  environments: [
    GuardedEnvironment.fromEnvironment(environment),
    // An environment another tool manages, with no self-service: only its deployment role may change it.
    GuardedEnvironment.fromAttributes({ environmentName: 'legacy-reporting', account: workloadAccount, region }),
  ],
  targetIds: [targetId],
  policyName: 'mwaa-integ-guard',
});
new IntegTest(app, 'OrganizationGuard', { testCases: [workload, management] });
