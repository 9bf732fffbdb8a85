import { matchesEventPattern } from './support/event-pattern';

/**
 * The test-only EventBridge pattern matcher (test/support/event-pattern.ts) checked on the examples
 * of the EventBridge user guide, so that the tests built on it rest on something.
 */
const EC2_EVENT = {
  'version': '0',
  'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'account': '111122223333',
  'time': '2017-12-22T18:43:48Z',
  'region': 'us-west-1',
  'resources': ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  'detail': { 'instance-id': 'i-1234567890abcdef0', 'state': 'terminated' },
};

describe('the test matcher agrees with the user guide', () => {
  test('fields are ANDed, values are ORed, strings match exactly (eb-create-pattern)', () => {
    const pattern = { 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], 'detail': { state: ['terminated'] } };
    expect(matchesEventPattern(pattern, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ ...pattern, detail: { state: ['running', 'terminated'] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ ...pattern, detail: { state: ['Terminated'] } }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ ...pattern, source: ['aws.fargate'] }, EC2_EVENT)).toBe(false);
  });

  test('every field of the pattern must be in the event, with the same nesting', () => {
    expect(matchesEventPattern({ detail: { name: ['terminated'] } }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ state: ['terminated'] }, EC2_EVENT)).toBe(false);
  });

  test('an array in the event matches when any element matches (arrays page)', () => {
    const pattern = { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] };
    expect(matchesEventPattern(pattern, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, EC2_EVENT)).toBe(false);
  });

  test('$or matches when any alternative does, at the top level and nested', () => {
    const top = { source: ['aws.ec2'], $or: [{ detail: { state: ['running'] } }, { resources: [EC2_EVENT.resources[0]] }] };
    expect(matchesEventPattern(top, EC2_EVENT)).toBe(true);
    const none = { source: ['aws.ec2'], $or: [{ detail: { state: ['running'] } }, { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-other'] }] };
    expect(matchesEventPattern(none, EC2_EVENT)).toBe(false);
    const nested = { detail: { $or: [{ 'instance-id': ['i-other'] }, { state: ['terminated'] }] } };
    expect(matchesEventPattern(nested, EC2_EVENT)).toBe(true);
    // A top-level $or next to a sibling field: both must hold.
    expect(matchesEventPattern({ ...top, detail: { state: ['running'] } }, EC2_EVENT)).toBe(false);
  });

  test('anything-but, prefix and exists (comparison operators page)', () => {
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { other: [{ 'anything-but': ['x'] }] } }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ time: [{ prefix: '2017-12-22' }] }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ time: [{ prefix: '2017-12-23' }] }, EC2_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { other: [{ exists: false }] } }, EC2_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ exists: false }] } }, EC2_EVENT)).toBe(false);
  });

  test('an operator it does not know throws rather than passing', () => {
    expect(() => matchesEventPattern({ detail: { count: [{ numeric: ['>', 0] }] } }, EC2_EVENT)).toThrow(/operator numeric is not supported/);
    expect(() => matchesEventPattern({ detail: { $or: [{ state: ['x'] }] } }, EC2_EVENT)).toThrow(/at least two sub-patterns/);
  });
});
