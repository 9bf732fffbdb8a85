import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { PrivateMwaaEnvironment } from '../src';
import { ACCOUNT, REGION } from './support/fixtures';

/** An environment named `name` in `scope`, with a VPC of its own. */
function environment(scope: Construct, id: string, name: string): PrivateMwaaEnvironment {
  const vpc = new ec2.Vpc(scope, `${id}Vpc`, { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return new PrivateMwaaEnvironment(scope, id, { environmentName: name, vpc });
}

const RULE = '`environmentName` must be unique in an account and Region (the environment, and the log groups, IAM groups and policies named after it, would clash at deployment)';

describe('two environments with the same name in one account and Region fail at synth', () => {
  test('in one stack', () => {
    const stack = new Stack(new App(), 'Data', { env: { account: ACCOUNT, region: REGION } });
    environment(stack, 'First', 'analytics');
    expect(() => environment(stack, 'Second', 'analytics')).toThrow(new Error(
      `${RULE}, but Data/First and Data/Second both use it in account ${ACCOUNT}, Region ${REGION}, got: 'analytics'`));
  });

  test('in two stacks of the same app', () => {
    const app = new App();
    environment(new Stack(app, 'TeamA', { env: { account: ACCOUNT, region: REGION } }), 'Airflow', 'analytics');
    expect(() => environment(new Stack(app, 'TeamB', { env: { account: ACCOUNT, region: REGION } }), 'Airflow', 'analytics')).toThrow(new Error(
      `${RULE}, but TeamA/Airflow and TeamB/Airflow both use it in account ${ACCOUNT}, Region ${REGION}, got: 'analytics'`));
  });

  test('in one environment-agnostic stack, whose account and Region are the same for both', () => {
    const stack = new Stack(new App(), 'Agnostic');
    environment(stack, 'First', 'analytics');
    expect(() => environment(stack, 'Second', 'analytics')).toThrow(new Error(
      `${RULE}, but Agnostic/First and Agnostic/Second both use it in the account and Region of Agnostic (account unresolved, Region unresolved), got: 'analytics'`));
  });

  test('in a nested stack and its environment-agnostic parent, which deploy together', () => {
    const parent = new Stack(new App(), 'Parent');
    environment(parent, 'Airflow', 'analytics');
    const nested = new NestedStack(parent, 'Nested');
    expect(() => environment(nested, 'Airflow', 'analytics')).toThrow(
      /^`environmentName` must be unique in an account and Region .*, but Parent\/Airflow and Parent\/Nested\/Airflow both use it in the account and Region of Parent /);
  });
});

describe('the same name is fine where the environments cannot clash', () => {
  /** The names of the environments each stack of the app holds, after synthesis. */
  function namesByStack(app: App): { [stack: string]: string[] } {
    const result: { [stack: string]: string[] } = {};
    for (const stack of app.node.children.filter(Stack.isStack)) {
      result[stack.stackName] = Object.values<any>(Template.fromStack(stack).findResources('AWS::MWAA::Environment')).map(r => r.Properties.Name).sort();
    }
    return result;
  }

  test('in two Regions, or two accounts', () => {
    const app = new App();
    environment(new Stack(app, 'Ireland', { env: { account: ACCOUNT, region: 'eu-west-1' } }), 'Airflow', 'analytics');
    expect(() => environment(new Stack(app, 'Frankfurt', { env: { account: ACCOUNT, region: 'eu-central-1' } }), 'Airflow', 'analytics')).not.toThrow();
    expect(() => environment(new Stack(app, 'OtherAccount', { env: { account: '222222222222', region: 'eu-west-1' } }), 'Airflow', 'analytics')).not.toThrow();
    expect(namesByStack(app)).toEqual({ Ireland: ['analytics'], Frankfurt: ['analytics'], OtherAccount: ['analytics'] });
  });

  test('in two environment-agnostic stacks (they may deploy to different accounts), or one of them and a concrete one', () => {
    const app = new App();
    environment(new Stack(app, 'Dev'), 'Airflow', 'analytics');
    expect(() => environment(new Stack(app, 'Test'), 'Airflow', 'analytics')).not.toThrow();
    expect(() => environment(new Stack(app, 'Prod', { env: { account: ACCOUNT, region: REGION } }), 'Airflow', 'analytics')).not.toThrow();
    expect(namesByStack(app)).toEqual({ Dev: ['analytics'], Test: ['analytics'], Prod: ['analytics'] });
  });

  test('in two apps', () => {
    const first = new App();
    environment(new Stack(first, 'One', { env: { account: ACCOUNT, region: REGION } }), 'Airflow', 'analytics');
    const second = new App();
    expect(() => environment(new Stack(second, 'One', { env: { account: ACCOUNT, region: REGION } }), 'Airflow', 'analytics')).not.toThrow();
    expect([namesByStack(first), namesByStack(second)]).toEqual([{ One: ['analytics'] }, { One: ['analytics'] }]);
  });

  test('different names in one stack', () => {
    const app = new App();
    const stack = new Stack(app, 'Data', { env: { account: ACCOUNT, region: REGION } });
    environment(stack, 'First', 'analytics');
    expect(() => environment(stack, 'Second', 'reporting')).not.toThrow();
    expect(namesByStack(app)).toEqual({ Data: ['analytics', 'reporting'] });
  });
});
