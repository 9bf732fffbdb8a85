import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** True when the value is a concrete number (not a token). */
export function isNumber(value: number): boolean {
  return !Token.isUnresolved(value);
}

/**
 * Throws unless the value is an integer within the bounds. Tokens are skipped.
 */
export function requireInteger(prop: string, value: number, min: number, max?: number, context?: string): void {
  if (!isNumber(value)) {
    return;
  }
  const inRange = Number.isInteger(value) && value >= min && (max === undefined || value <= max);
  if (inRange) {
    return;
  }
  let rule: string;
  if (max === undefined) {
    rule = `an integer of at least ${min}`;
  } else if (min === max) {
    rule = `exactly ${min}`;
  } else {
    rule = `an integer from ${min} to ${max}`;
  }
  throw new Error(`\`${prop}\` must be ${rule}${context ? ` ${context}` : ''}, got: ${value}`);
}

/** The subnets a selection resolves to, or none when the VPC has no subnets of that kind. */
export function trySelect(vpc: ec2.IVpc, selection: ec2.SubnetSelection): ec2.ISubnet[] {
  try {
    return vpc.selectSubnets(selection).subnets;
  } catch {
    return [];
  }
}

/** How many distinct, known Availability Zones the subnets are in. */
export function distinctZones(subnets: ec2.ISubnet[]): number {
  return new Set(subnets.map(s => s.availabilityZone).filter(z => !Token.isUnresolved(z))).size;
}

/** A short list of subnets for an error message: their ids when known, else their paths. */
export function describeSubnets(subnets: ec2.ISubnet[]): string {
  if (subnets.length === 0) {
    return '';
  }
  const names = subnets.map(s => (Token.isUnresolved(s.subnetId) ? s.node.path : s.subnetId));
  return ` (${names.join(', ')})`;
}
