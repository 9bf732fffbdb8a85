// Integration test app with deploy-time assertions: the one check of this library against AWS itself.
// Deploying it in a sandbox account (about 1.5 hours, see CONTRIBUTING.md) creates a private
// environment with self-service and the public access revert, then the assertion stack checks that:
//   1. the environment is AVAILABLE with a PRIVATE_ONLY web server;
//   2. a self-service execution whose input tries to make the web server public fails its input check;
//   3. the revert, started with a sample guardrail event while the web server is private, ends
//      "already private";
//   4. a self-service execution with a harmless change (one more maximum worker) succeeds.
//
// Every assertion waits for its result (`waitForAssertions`): the waiter responds FAILED to
// CloudFormation when an assertion still fails at its timeout, so `cdk deploy` of the assertion stack
// fails and integ-runner is not needed. (A plain `expect` without a waiter only records a failure in
// a stack output and lets the deployment succeed: integ-tests-alpha's assertion handler throws only
// with `failDeployment`, read in lib/assertions/providers/lambda-handler/{index,assertion}.ts of
// aws/aws-cdk.)
//
// Offline, `npm run integ` compares its synthesis with the committed snapshot.
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PrivateMwaaEnvironment } from '../src';

// The Region comes from the environment (literal, so that the runtime parts get their names); the
// account is the one of the credentials `cdk deploy` runs with.
const region = process.env.MWAA_INTEG_REGION ?? 'eu-west-1';
const environmentName = 'integ-runtime';

const app = new App();
const stack = new Stack(app, 'MwaaRuntime', { env: { region } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const environment = new PrivateMwaaEnvironment(stack, 'Airflow', {
  environmentName,
  vpc,
  maxWorkers: 2,
  selfService: true,
  revertPublicAccess: true,
  // A sandbox: the key, the (empty) bucket and the log groups go with the stack.
  removalPolicy: RemovalPolicy.DESTROY,
});

// The assertions run after the environment's stack is deployed, in a stack of their own.
const assertionStack = new Stack(app, 'MwaaRuntimeAssertions', { env: { region } });
assertionStack.addDependency(stack);
const integ = new IntegTest(app, 'Runtime', { testCases: [stack], assertionStack });

// A custom resource waits at most an hour for its response; each waiter stays below that.
const shortWait = { totalTimeout: Duration.minutes(30), interval: Duration.minutes(1) };
const updateWait = { totalTimeout: Duration.minutes(55), interval: Duration.minutes(2) };

// 1. AVAILABLE and private.
const available = integ.assertions.awsApiCall('MWAA', 'getEnvironment', { Name: environmentName })
  .expect(ExpectedResult.objectLike({ Environment: { Status: 'AVAILABLE', WebserverAccessMode: 'PRIVATE_ONLY' } }))
  .waitForAssertions(shortWait);

// 2. An input that tries to make the web server public is refused by the input check.
const escape = integ.assertions.awsApiCall('SFN', 'startExecution', {
  stateMachineArn: environment.selfService!.stateMachine.stateMachineArn,
  input: JSON.stringify({ WebserverAccessMode: 'PUBLIC_ONLY' }),
});
const escapeRefused = integ.assertions.awsApiCall('SFN', 'describeExecution', { executionArn: escape.getAttString('executionArn') })
  .expect(ExpectedResult.objectLike({ status: 'FAILED', error: 'InputNotAllowed' }))
  .waitForAssertions(shortWait);

// 3. The revert, given the guardrail's event for a change that made the web server public, finds it
// private and ends in its "already private" state.
const sampleGuardrailEvent = {
  'version': '0',
  'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'AWS API Call via CloudTrail',
  'source': 'aws.airflow',
  'account': '111111111111',
  'time': '2026-12-04T12:00:00Z',
  'region': region,
  'resources': [],
  'detail': {
    eventSource: 'airflow.amazonaws.com',
    eventName: 'UpdateEnvironment',
    userIdentity: { arn: 'arn:aws:sts::111111111111:assumed-role/integ-check/deploy-check' },
    requestParameters: { Name: environmentName, WebserverAccessMode: 'PUBLIC_ONLY' },
  },
};
const revert = integ.assertions.awsApiCall('SFN', 'startExecution', {
  stateMachineArn: environment.publicAccessRevert!.stateMachine.stateMachineArn,
  input: JSON.stringify(sampleGuardrailEvent),
});
const revertDone = integ.assertions.awsApiCall('SFN', 'describeExecution', { executionArn: revert.getAttString('executionArn') })
  .expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }))
  .waitForAssertions(shortWait);
const revertAlreadyPrivate = integ.assertions.awsApiCall('SFN', 'getExecutionHistory', {
  executionArn: revert.getAttString('executionArn'),
  reverseOrder: true,
  maxResults: 3,
}).expect(ExpectedResult.objectLike({
  events: [
    { type: 'ExecutionSucceeded' },
    { type: 'SucceedStateExited', stateExitedEventDetails: { name: 'AlreadyPrivate' } },
    { type: 'SucceedStateEntered', stateEnteredEventDetails: { name: 'AlreadyPrivate' } },
  ],
})).waitForAssertions(shortWait);

// 4. A harmless change goes through: the execution waits for MWAA's update (20 to 30 minutes).
const harmless = integ.assertions.awsApiCall('SFN', 'startExecution', {
  stateMachineArn: environment.selfService!.stateMachine.stateMachineArn,
  input: JSON.stringify({ MaxWorkers: 3 }),
});
const harmlessSucceeded = integ.assertions.awsApiCall('SFN', 'describeExecution', { executionArn: harmless.getAttString('executionArn') })
  .expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }))
  .waitForAssertions(updateWait);

// In this order: the revert must find the environment AVAILABLE, before the harmless update starts.
available.next(escape).next(escapeRefused).next(revert).next(revertDone).next(revertAlreadyPrivate).next(harmless).next(harmlessSucceeded);
