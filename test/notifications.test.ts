import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { EnvironmentStatus, PrivateMwaaEnvironment } from '../src';
import { ACCOUNT, newEnvironment, newStack, newVpc } from './support/fixtures';

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

  test('lets only EventBridge and CloudWatch of this account publish, over TLS', () => {
    const policies = template.findResources('AWS::SNS::TopicPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    const allows = statements.filter((st: any) => st.Effect === 'Allow');
    expect(allows).toEqual([{
      Sid: 'AllowEventBridgeAndCloudWatchOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    }]);
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

  test('forwards failures of this environment to the topic with a readable message', () => {
    template.resourceCountIs('AWS::Events::Rule', 2); // status changes and the public access guardrail
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.airflow'],
        'detail-type': ['MWAA Environment Status Change'],
        'detail': { name: ['test-env'], status: ['CREATE_FAILED', 'UPDATE_FAILED', 'UNAVAILABLE'] },
      },
      State: 'ENABLED',
      Targets: [{
        Arn: { Ref: topicId },
        Id: 'Target0',
        InputTransformer: {
          InputPathsMap: { 'detail-name': '$.detail.name', 'detail-status': '$.detail.status', 'account': '$.account', 'region': '$.region', 'time': '$.time' },
          InputTemplate: '"Amazon MWAA environment <detail-name> is now <detail-status> (account <account>, Region <region>, at <time>)."',
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
    const { stack } = newEnvironment({ notifications: { statuses: [EnvironmentStatus.AVAILABLE, EnvironmentStatus.UPDATE_FAILED] } });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { name: ['test-env'], status: ['AVAILABLE', 'UPDATE_FAILED'] } },
    });
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
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowEventBridgeAndCloudWatchOfThisAccount' })]) },
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
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-private-mwaa:notificationTopicPolicy'))).toHaveLength(1);
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
