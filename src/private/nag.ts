import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Renders a CloudFormation value the way cdk-nag names it in a finding id: a `Ref` as
 * `<LogicalId>`, a `Fn::GetAtt` as `<LogicalId.Attribute>`, a `Fn::Join` joined.
 */
export function findingName(scope: IConstruct, value: string): string {
  // The same few ARNs are named many times per environment; resolving is the costly part.
  const stack = Stack.of(scope);
  let names = FINDING_NAMES.get(stack);
  if (names === undefined) {
    names = new Map();
    FINDING_NAMES.set(stack, names);
  }
  const known = names.get(value);
  if (known !== undefined) {
    return known;
  }
  const name = renderFindingName(stack, value);
  names.set(value, name);
  return name;
}

/** Finding names already rendered, per stack and value. */
const FINDING_NAMES = new WeakMap<Stack, Map<string, string>>();

function renderFindingName(stack: Stack, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') {
      return v;
    }
    const obj = v as { [key: string]: any };
    if ('Ref' in obj) {
      return `<${obj.Ref}>`;
    }
    if ('Fn::GetAtt' in obj) {
      return `<${(obj['Fn::GetAtt'] as string[]).join('.')}>`;
    }
    if ('Fn::Join' in obj) {
      const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    return JSON.stringify(v);
  };
  return render(stack.resolve(value));
}

/**
 * A finding that is there by design, and why.
 */
export interface ByDesign {
  readonly id: string;
  readonly reason: string;
}

/**
 * Acknowledges findings on one construct for CDK's validation framework, which cdk-nag 3 reads.
 * Nothing changes in the template.
 *
 * This records what `Validations.of(scope).acknowledge()` records, under the documented metadata
 * key, directly: `acknowledge()` rejects ids with more than one `::`, and cdk-nag names findings
 * on ARNs with `<AWS::Partition>` in them. It also skips the stack trace `acknowledge()` captures
 * for each entry, which is most of its cost.
 */
export function acknowledge(scope: IConstruct, findings: ByDesign[]): void {
  const entries: { [id: string]: string } = {};
  for (const finding of findings) {
    entries[finding.id] = finding.reason;
  }
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, entries);
}

/** An `AwsSolutions-IAM5` finding on one action or resource, with its reason. */
export function iam5(finding: string, reason: string): ByDesign {
  return { id: `AwsSolutions-IAM5[${finding}]`, reason };
}

/** The compliance packs whose rules the acknowledgements name, besides AwsSolutions. */
export const COMPLIANCE_PACKS = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];

/** One rule of several compliance packs (all of them unless given), with one reason. */
export function inPacks(rule: string, reason: string, packs: string[] = COMPLIANCE_PACKS): ByDesign[] {
  return packs.map(pack => ({ id: `${pack}-${rule}`, reason }));
}
