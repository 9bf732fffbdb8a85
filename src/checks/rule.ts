import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TemplateView } from './template';

/** One environment in one template, as the rules see it. */
export interface EnvironmentUnderCheck {
  readonly template: TemplateView;
  readonly logicalId: string;
  readonly props: { [key: string]: any };
}

/** A rule: its id, what it checks, and a function that returns the problems it finds. */
export interface MwaaRuleSpec {
  readonly id: string;
  readonly description: string;
  /**
   * `error` for what MWAA rejects or cannot run with; `warning` for what AWS recommends (a
   * "should") and what is legal but risky. Warnings do not fail synthesis.
   */
  readonly severity: 'error' | 'warning';
  /** Where in the environment's properties the rule looks, for the report. */
  readonly location: string;
  readonly check: (env: EnvironmentUnderCheck) => string[];
}

/**
 * A problem that `PrivateMwaaEnvironment` and a `MwaaChecks` rule both look for, with one predicate
 * in the rule's file that both call. The construct reports it as a warning (acknowledged with
 * `Annotations.of(scope).acknowledgeWarning(warningId, reason)`); the rule reports it for every
 * other environment, and for the construct's only when the construct has not.
 */
export interface SharedCheck {
  /** The `MwaaChecks` rule id. */
  readonly ruleId: string;
  /** The id of the construct's warning, one of `MwaaWarnings`. */
  readonly warningId: string;
}

/** The metadata type that names, on the construct that owns an environment, a rule it has reported already. */
export const REPORTED_RULE_METADATA = 'cdk-private-mwaa:reported-rule';

/**
 * Reports a shared problem as the construct's warning, and records on the construct that the rule
 * need not report it again for the environment the construct owns.
 */
export function warnOnce(scope: IConstruct, check: SharedCheck, message: string): void {
  Annotations.of(scope).addWarningV2(check.warningId, message);
  scope.node.addMetadata(REPORTED_RULE_METADATA, check.ruleId);
}

/**
 * Whether the construct that owns this environment resource (the one whose default child it is)
 * reported the rule's problem as its own warning. An escape-hatch override that introduces the
 * problem after the construct checked its props is not covered: the rule still reports it.
 */
export function reportedByOwner(resource: IConstruct, ruleId: string): boolean {
  const owner = resource.node.scope;
  return owner !== undefined && owner.node.defaultChild === resource
    && owner.node.metadata.some(entry => entry.type === REPORTED_RULE_METADATA && entry.data === ruleId);
}

/**
 * Whether a value is known only at deployment: a token in the construct, an intrinsic function or
 * parameter reference in a template. Predicates do not judge such values.
 */
export function isUnknown(value: unknown): boolean {
  return Token.isUnresolved(value) || (value !== null && typeof value === 'object');
}
