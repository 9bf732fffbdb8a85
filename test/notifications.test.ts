import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { EnvironmentStatus, PrivateMwaaEnvironment } from '../src';
import { matchesEventPattern } from './support/event-pattern';
import { ACCOUNT, newEnvironment, newStack, newVpc, REGION } from './support/fixtures';
import { resolveIntrinsics } from './support/resolve-template';

const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:test-env-notifications`;

describe('the notification topic', () => {
  const { stack, env } = newEnvironment();
  const template = Template.fromStack(stack);
  const topicId = stack.getLogicalId(env.notificationTopic.node.defaultChild as sns.CfnTopic);
  const keyId = stack.getLogicalId(env.kmsKey.node.defaultChild as kms.CfnKey);

  test('is encrypted with the environment key', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      DisplayName: 'Amazon MWAA test-env',
    });
  });

  test('lets EventBridge publish as AWS documents it (no condition) and only this account\'s alarms, over TLS', () => {
    const policies = template.findResources('AWS::SNS::TopicPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = resolveIntrinsics(Object.values(policies)[0].Properties.PolicyDocument.Statement,
      { account: ACCOUNT, region: REGION, refs: { [topicId]: TOPIC_ARN }, arns: {} });
    const allows = statements.filter((st: any) => st.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'AllowEventBridgeRulesToPublish',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: TOPIC_ARN,
      },
      {
        Sid: 'AllowCloudWatchAlarmsOfThisAccountToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: TOPIC_ARN,
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` },
        },
      },
    ]);
    const denies = statements.filter((st: any) => st.Effect === 'Deny');
    expect(denies).toEqual([expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
  });

  test('the key lets EventBridge and CloudWatch encrypt messages for the topic', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowEventBridgeAndCloudWatchToPublishToTheEncryptedTopic',
          Effect: 'Allow',
          Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        }]),
      },
    });
  });

  test('forwards status changes to the topic with a message that names the environment and carries the whole detail', () => {
    template.resourceCountIs('AWS::Events::Rule', 3); // status changes and the public access guardrail (made public, and refused attempts)
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['aws.airflow'], 'detail-type': ['MWAA Environment Status Change'] }),
      State: 'ENABLED',
      Targets: [{
        Arn: { Ref: topicId },
        Id: 'Target0',
        InputTransformer: {
          InputPathsMap: { account: '$.account', region: '$.region', time: '$.time', detail: '$.detail' },
          InputTemplate: '{"message":"Amazon MWAA environment test-env changed status to one of CREATE_FAILED, UPDATE_FAILED, UNAVAILABLE '
            + '(account <account>, Region <region>, at <time>). The new status is in the event detail below.","environment":"test-env","detail":<detail>}',
        },
      }],
    });
  });

  test('has no subscription by default', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('notification options', () => {
  test('emails and other subscriptions are added to the topic', () => {
    const { stack, env } = newEnvironment({
      notifications: {
        emails: ['airflow-ops@example.com'],
        subscriptions: [new subscriptions.UrlSubscription('https://hooks.example.com/airflow')],
      },
    });
    const topicRef = { Ref: stack.getLogicalId(env.notificationTopic.node.defaultChild as sns.CfnTopic) };
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'airflow-ops@example.com', TopicArn: topicRef });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://hooks.example.com/airflow', TopicArn: topicRef });
  });

  test('the forwarded statuses can be chosen', () => {
    const { stack, env } = newEnvironment({ notifications: { statuses: [EnvironmentStatus.AVAILABLE, EnvironmentStatus.CREATING_SNAPSHOT] } });
    const pattern = synthesizedPattern(stack, env.statusChangeRule);
    expect(matchesEventPattern(pattern, statusEvent({ detail: { name: 'test-env', status: 'CREATING_SNAPSHOT' } }))).toBe(true);
    expect(matchesEventPattern(pattern, statusEvent({ detail: { name: 'test-env', status: 'AVAILABLE' } }))).toBe(true);
    expect(matchesEventPattern(pattern, statusEvent({ detail: { name: 'test-env', status: 'UPDATE_FAILED' } }))).toBe(false);
  });

  test('fails if the list of statuses is empty', () => {
    expect(() => newEnvironment({ notifications: { statuses: [] } }))
      .toThrow(/^`notifications.statuses` must name at least one status \(leave it out for the default\), got: an empty list$/);
  });

  test('a provided topic is used and gets the publishing statement, and no topic is created', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const topic = new sns.Topic(stack, 'OpsTopic');
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, notificationTopic: topic });
    const template = Template.fromStack(stack);
    expect(env.notificationTopic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowEventBridgeRulesToPublish' }), Match.objectLike({ Sid: 'AllowCloudWatchAlarmsOfThisAccountToPublish' })]) },
    });
    // The environment key is not opened to EventBridge for a topic it does not encrypt.
    const keyPolicy = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(keyPolicy.map((st: any) => st.Sid)).not.toContain('AllowEventBridgeAndCloudWatchToPublishToTheEncryptedTopic');
  });

  test('an imported topic earns a warning that its policy cannot be checked', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', `arn:aws:sns:eu-west-1:${ACCOUNT}:ops`);
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, notificationTopic: topic });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: `arn:aws:sns:eu-west-1:${ACCOUNT}:ops` })],
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:notificationTopicPolicy')).map(w => w.entry.data)).toEqual([
      expect.stringMatching(/^`notificationTopic` is imported, so its policy cannot be changed here\. Make sure EventBridge \(events\.amazonaws\.com, .*\) and CloudWatch alarms of this account \(cloudwatch\.amazonaws\.com\) may publish to it/),
    ]);
  });

  test('a topic encrypted with an imported key earns a warning that the publishers may not use the key', () => {
    const topicKeyWarnings = (importKey: boolean) => {
      const stack = newStack();
      const vpc = newVpc(stack);
      const kmsKey = importKey ? kms.Key.fromKeyArn(stack, 'TeamKey', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) : undefined;
      new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, kmsKey });
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:notificationTopicKey')).map(w => w.entry.data);
    };
    expect(topicKeyWarnings(true)).toEqual([expect.stringMatching(/^`kmsKey` is imported, so its key policy cannot be changed here, and the notification topic is encrypted with it/)]);
    expect(topicKeyWarnings(false)).toEqual([]);
  });
});

describe('a notification topic the user brings, encrypted with a customer managed key', () => {
  const PUBLISHERS = {
    Sid: 'AllowEventBridgeAndCloudWatchToPublishToTheEncryptedTopic',
    Effect: 'Allow',
    Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
  };
  const importedKeyWarnings = (stack: Stack) => Annotations.fromStack(stack)
    .findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:notificationTopicImportedKey')).map(w => w.entry.data);

  /** A stack with an environment notifying `topic(stack)`. */
  function withTopic(topic: (stack: Stack) => sns.ITopic, extra: { kmsKey?: (stack: Stack) => kms.IKey } = {}) {
    const stack = newStack();
    const vpc = newVpc(stack);
    const kmsKey = extra.kmsKey?.(stack);
    const env = new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, notificationTopic: topic(stack), kmsKey });
    return { stack, env, template: Template.fromStack(stack) };
  }

  test("a key of the app gets AWS's documented statement for EventBridge and CloudWatch, with no condition, and no warning", () => {
    let teamKey: kms.Key | undefined;
    const { stack, template } = withTopic(s => {
      teamKey = new kms.Key(s, 'TeamKey');
      return new sns.Topic(s, 'OpsTopic', { masterKey: teamKey });
    });
    const keyId = stack.getLogicalId(teamKey!.node.defaultChild as kms.CfnKey);
    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual(PUBLISHERS);
    expect(importedKeyWarnings(stack)).toEqual([]);
  });

  test('the environment key is then left alone', () => {
    const { stack, env, template } = withTopic(s => new sns.Topic(s, 'OpsTopic', { masterKey: new kms.Key(s, 'TeamKey') }));
    const envKeyId = stack.getLogicalId(env.kmsKey.node.defaultChild as kms.CfnKey);
    const sids = template.toJSON().Resources[envKeyId].Properties.KeyPolicy.Statement.map((st: any) => st.Sid);
    expect(sids).not.toContain(PUBLISHERS.Sid);
  });

  test('a topic encrypted with the environment key itself gets the statement once', () => {
    let sharedKey: kms.Key | undefined;
    const { stack, template } = withTopic(s => new sns.Topic(s, 'OpsTopic', { masterKey: sharedKey! }), {
      kmsKey: s => (sharedKey = new kms.Key(s, 'SharedKey')),
    });
    const keyId = stack.getLogicalId(sharedKey!.node.defaultChild as kms.CfnKey);
    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    expect(statements.filter((st: any) => st.Sid === PUBLISHERS.Sid)).toEqual([PUBLISHERS]);
  });

  test.each([
    ['an imported key', (s: Stack) => kms.Key.fromKeyArn(s, 'TeamKey', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`), 'TestStack/TeamKey'],
    ['the AWS managed key of SNS', (s: Stack) => kms.Alias.fromAliasName(s, 'SnsKey', 'alias/aws/sns'), 'TestStack/SnsKey'],
  ])('%s earns one warning that names the statement to add', (_name, key, path) => {
    const { stack } = withTopic(s => new sns.Topic(s, 'OpsTopic', { masterKey: key(s) }));
    expect(importedKeyWarnings(stack)).toEqual([
      `\`notificationTopic\` is encrypted with a key whose policy cannot be changed here (${path}). Until the key policy has a statement that allows `
      + 'the service principals events.amazonaws.com and cloudwatch.amazonaws.com the actions kms:Decrypt and kms:GenerateDataKey* on resource "*", with no '
      + 'aws:SourceAccount or aws:SourceArn condition (SNS does not support them for EventBridge), status changes, alarms and the guardrail cannot publish to the topic. '
      + 'Add that statement to the key policy (an AWS managed key such as alias/aws/sns cannot be changed: use a customer managed key), then acknowledge this warning. '
      + '[ack: cdk-private-mwaa:notificationTopicImportedKey]',
    ]);
    // The environment's own key warning is about `kmsKey`, which is not imported here.
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:notificationTopicKey '))).toEqual([]);
  });

  test('an imported topic whose key is known gets the key warning as well as the topic policy warning', () => {
    const { stack } = withTopic(s => sns.Topic.fromTopicAttributes(s, 'Ops', {
      topicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:ops`,
      keyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    }));
    expect(importedKeyWarnings(stack)).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:notificationTopicPolicy'))).toHaveLength(1);
  });

  test('an unencrypted topic of the user earns no key warning and changes no key', () => {
    const { stack } = withTopic(s => new sns.Topic(s, 'OpsTopic'));
    expect(importedKeyWarnings(stack)).toEqual([]);
  });
});

/** A rule's event pattern as AWS would get it: intrinsics resolved in the test account and Region. */
function synthesizedPattern(stack: Stack, rule: events.IRule): unknown {
  const logicalId = stack.getLogicalId(rule.node.defaultChild as events.CfnRule);
  const pattern = Template.fromStack(stack).toJSON().Resources[logicalId].Properties.EventPattern;
  return resolveIntrinsics(pattern, { account: ACCOUNT, region: REGION, refs: {}, arns: {} });
}

const ENV_ARN = `arn:aws:airflow:${REGION}:${ACCOUNT}:environment/test-env`;

/** An MWAA status change event; AWS publishes no sample, so only the envelope is known. */
function statusEvent(overrides: { detail: { [key: string]: string }; resources?: string[]; source?: string }): unknown {
  return {
    'version': '0',
    'id': '0d8f1a6c-2b7e-4a57-9d0e-6a1f2c3b4d5e',
    'detail-type': 'MWAA Environment Status Change',
    'source': overrides.source ?? 'aws.airflow',
    'account': ACCOUNT,
    'time': '2026-11-25T10:00:00Z',
    'region': REGION,
    'resources': overrides.resources ?? [],
    'detail': overrides.detail,
  };
}

describe('the public access guardrail: which CloudTrail records its two rules match, and what they say', () => {
  const { stack, env } = newEnvironment();
  const template = Template.fromStack(stack).toJSON();
  const madePublic = synthesizedPattern(stack, env.publicAccessGuardrailRule!);
  const attemptRule = env.node.findChild('PublicAccessAttemptGuardrail') as events.Rule;
  const refused = synthesizedPattern(stack, attemptRule);
  const ACTOR = `arn:aws:sts::${ACCOUNT}:assumed-role/AirflowAdmin/jane`;
  /** A CloudTrail record of an MWAA call, as EventBridge delivers it. */
  const call = (eventName: string, requestParameters: object, extra: { errorCode?: string; source?: string; eventSource?: string } = {}) => ({
    'version': '0',
    'source': extra.source ?? 'aws.airflow',
    'detail-type': 'AWS API Call via CloudTrail',
    'account': ACCOUNT,
    'region': REGION,
    'detail': {
      eventSource: extra.eventSource ?? 'airflow.amazonaws.com',
      eventName,
      userIdentity: { arn: ACTOR },
      requestParameters,
      ...(extra.errorCode ? { errorCode: extra.errorCode } : {}),
    },
  });

  const publicCalls: Array<[string, ReturnType<typeof call>]> = [];
  for (const eventName of ['UpdateEnvironment', 'CreateEnvironment']) {
    for (const name of ['Name', 'name']) {
      for (const mode of ['WebserverAccessMode', 'webserverAccessMode']) {
        for (const value of ['PUBLIC_ONLY', 'PUBLIC_AND_PRIVATE']) {
          publicCalls.push([`${eventName} with ${name} and ${mode} ${value}`, call(eventName, { [name]: 'test-env', [mode]: value })]);
        }
      }
    }
  }

  test.each(publicCalls)('%s: the made-public rule matches, the refused-attempt rule does not', (_name, event) => {
    expect(matchesEventPattern(madePublic, event)).toBe(true);
    expect(matchesEventPattern(refused, event)).toBe(false);
  });

  test.each(publicCalls)('%s, refused: only the refused-attempt rule matches', (_name, event) => {
    const denied = { ...event, detail: { ...event.detail, errorCode: 'AccessDenied' } };
    expect(matchesEventPattern(refused, denied)).toBe(true);
    expect(matchesEventPattern(madePublic, denied)).toBe(false);
  });

  const others: Array<[string, ReturnType<typeof call>]> = [
    ['a call that makes it private', call('UpdateEnvironment', { Name: 'test-env', WebserverAccessMode: 'PRIVATE_ONLY' })],
    ['an update that does not name the access mode', call('UpdateEnvironment', { Name: 'test-env', MaxWorkers: 5 })],
    ['another environment made public', call('UpdateEnvironment', { Name: 'other-env', WebserverAccessMode: 'PUBLIC_ONLY' })],
    ['an environment whose name starts with this one\'s', call('UpdateEnvironment', { Name: 'test-env-2', WebserverAccessMode: 'PUBLIC_ONLY' })],
    ['another MWAA call naming a public mode', call('TagResource', { Name: 'test-env', WebserverAccessMode: 'PUBLIC_ONLY' })],
    ['the same call from another event source', call('UpdateEnvironment', { Name: 'test-env', WebserverAccessMode: 'PUBLIC_ONLY' }, { eventSource: 'ec2.amazonaws.com' })],
    ['the same detail from another source', call('UpdateEnvironment', { Name: 'test-env', WebserverAccessMode: 'PUBLIC_ONLY' }, { source: 'aws.ec2' })],
  ];
  test.each(others)('neither rule matches %s', (_name, event) => {
    expect(matchesEventPattern(madePublic, event)).toBe(false);
    expect(matchesEventPattern(refused, { ...event, detail: { ...event.detail, errorCode: 'AccessDenied' } })).toBe(false);
  });

  test('the made-public rule says who called what, and to set it back', () => {
    const rule = template.Resources[stack.getLogicalId(env.publicAccessGuardrailRule!.node.defaultChild as events.CfnRule)].Properties;
    expect(rule.Description).toBe('Someone made the web server of the Amazon MWAA environment test-env public');
    expect(rule.Targets[0].InputTransformer.InputPathsMap).toEqual({ 'detail-eventName': '$.detail.eventName', 'detail-userIdentity-arn': '$.detail.userIdentity.arn', 'account': '$.account', 'region': '$.region', 'time': '$.time' });
    expect(rule.Targets[0].InputTransformer.InputTemplate).toBe('"Guardrail: <detail-userIdentity-arn> called <detail-eventName> to make the web server of Amazon MWAA environment test-env public '
      + '(account <account>, Region <region>, at <time>). Set it back to PRIVATE_ONLY if this was not intended."');
  });

  test('the refused-attempt rule says who tried, with which call and error, and that nothing changed', () => {
    const rule = template.Resources[stack.getLogicalId(attemptRule.node.defaultChild as events.CfnRule)].Properties;
    expect(rule.Description).toBe('Someone tried to make the web server of the Amazon MWAA environment test-env public and was refused');
    expect(rule.Targets[0].InputTransformer.InputPathsMap).toEqual({
      'detail-eventName': '$.detail.eventName',
      'detail-errorCode': '$.detail.errorCode',
      'detail-userIdentity-arn': '$.detail.userIdentity.arn',
      'account': '$.account',
      'region': '$.region',
      'time': '$.time',
    });
    expect(rule.Targets[0].InputTransformer.InputTemplate).toBe('"Guardrail: <detail-userIdentity-arn> tried to make the web server of Amazon MWAA environment test-env '
      + 'public with <detail-eventName> and was refused (<detail-errorCode>; account <account>, Region <region>, at <time>). Nothing changed; find out why the call was made."');
  });
});

describe('the status change rule and onStatusChange', () => {
  test('the status change rule names its environment', () => {
    const { stack, env } = newEnvironment();
    const ruleId = stack.getLogicalId(env.statusChangeRule.node.defaultChild as events.CfnRule);
    const rule = Template.fromStack(stack).toJSON().Resources[ruleId].Properties;
    expect(rule.Description).toBe('Status changes of the Amazon MWAA environment test-env');
  });

  test('onStatusChange filters on no status, and adds the target it is given', () => {
    const { stack, env } = newEnvironment();
    const topic = new sns.Topic(stack, 'Watchers');
    const rule = env.onStatusChange('Watched', { target: new targets.SnsTopic(topic) });
    const props = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties;
    expect(props.EventPattern.detail).toBeUndefined();
    expect(props.Targets).toEqual([expect.objectContaining({ Arn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) } })]);
  });

  test('a topic of the app that is passed in earns no warning about its policy', () => {
    const stack = newStack();
    const vpc = newVpc(stack);
    new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'test-env', vpc, notificationTopic: new sns.Topic(stack, 'OpsTopic') });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notificationTopicPolicy'))).toEqual([]);
  });
});

describe('the status change rule does not depend on one guessed spelling (sample events against the synthesized pattern)', () => {
  const { stack, env } = newEnvironment();
  const pattern = synthesizedPattern(stack, env.statusChangeRule);

  const shapes: Array<[string, { detail: { [key: string]: string }; resources?: string[] }]> = [];
  for (const name of ['name', 'Name', 'environmentName', 'EnvironmentName']) {
    for (const status of ['status', 'Status', 'state', 'State']) {
      shapes.push([`detail.${name} and detail.${status}`, { detail: { [name]: 'test-env', [status]: 'UPDATE_FAILED' } }]);
    }
  }
  shapes.push(['the ARN in resources and no name in the detail', { detail: { status: 'CREATE_FAILED' }, resources: [ENV_ARN] }]);
  shapes.push(['the ARN in resources and detail.Status', { detail: { Status: 'UNAVAILABLE' }, resources: [ENV_ARN] }]);

  test.each(shapes)('matches %s', (_shape, event) => {
    expect(matchesEventPattern(pattern, statusEvent(event))).toBe(true);
  });

  test.each(['CREATE_FAILED', 'UPDATE_FAILED', 'UNAVAILABLE'])('forwards %s by default', status => {
    expect(matchesEventPattern(pattern, statusEvent({ detail: { name: 'test-env', status } }))).toBe(true);
  });

  const others: Array<[string, { detail: { [key: string]: string }; resources?: string[]; source?: string }]> = [
    ['a status that is not forwarded', { detail: { name: 'test-env', status: 'AVAILABLE' } }],
    ['another environment', { detail: { name: 'other-env', status: 'UPDATE_FAILED' } }],
    ['another environment\'s ARN', { detail: { Status: 'UPDATE_FAILED' }, resources: [ENV_ARN.replace('test-env', 'other-env')] }],
    ['an environment whose name starts with this one\'s', { detail: { name: 'test-env-prod', status: 'UPDATE_FAILED' } }],
    ['no name and no ARN', { detail: { status: 'UPDATE_FAILED' } }],
    ['no status', { detail: { name: 'test-env' } }],
    ['another source', { detail: { name: 'test-env', status: 'UPDATE_FAILED' }, source: 'aws.ec2' }],
  ];
  test.each(others)('ignores %s', (_case, event) => {
    expect(matchesEventPattern(pattern, statusEvent(event))).toBe(false);
  });

  test('fits EventBridge\'s default pattern size of 2,048 characters with the longest name and every status', () => {
    const name = `a${'b'.repeat(79)}`;
    const { stack: big, env: longest } = newEnvironment({ environmentName: name, notifications: { statuses: Object.values(EnvironmentStatus) } });
    const text = JSON.stringify(synthesizedPattern(big, longest.statusChangeRule));
    expect(text).toContain(`environment/${name}`);
    expect(text.length).toBeLessThanOrEqual(2048);
  });

  test('onStatusChange uses the same matcher, for every status', () => {
    const own = newEnvironment();
    const rule = own.env.onStatusChange('EveryStatus');
    const every = synthesizedPattern(own.stack, rule);
    expect(matchesEventPattern(every, statusEvent({ detail: { Name: 'test-env', Status: 'AVAILABLE' } }))).toBe(true);
    expect(matchesEventPattern(every, statusEvent({ detail: {}, resources: [ENV_ARN] }))).toBe(true);
    expect(matchesEventPattern(every, statusEvent({ detail: { name: 'other-env', status: 'AVAILABLE' } }))).toBe(false);
  });

  test('an environment imported by ARN is matched by that ARN', () => {
    const other = newStack('Other');
    const arn = 'arn:aws:airflow:us-east-1:222222222222:environment/remote';
    const imported = PrivateMwaaEnvironment.fromEnvironmentArn(other, 'Remote', arn);
    const rule = imported.onStatusChange('RemoteStatus');
    const remote = synthesizedPattern(other, rule);
    expect(matchesEventPattern(remote, { ...(statusEvent({ detail: {}, resources: [arn] }) as object), account: '222222222222', region: 'us-east-1' })).toBe(true);
  });

  test('EnvironmentStatus lists every status of the MWAA API', () => {
    expect(Object.values(EnvironmentStatus).sort()).toEqual([
      'AVAILABLE', 'CREATE_FAILED', 'CREATING', 'CREATING_SNAPSHOT', 'DELETED', 'DELETING',
      'MAINTENANCE', 'PENDING', 'ROLLING_BACK', 'UNAVAILABLE', 'UPDATE_FAILED', 'UPDATING',
    ]);
  });
});
