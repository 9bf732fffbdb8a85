import * as fs from 'fs';
import * as path from 'path';
import {
  CfnResource,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CONFIGURATION_RULES } from './configuration';
import { EXECUTION_ROLE_RULES } from './execution-role';
import { LOGGING_RULES } from './logging';
import { NETWORK_RULES } from './network';
import { REQUIREMENTS_RULES } from './requirements';
import { MwaaRuleSpec, reportedByOwner } from './rule';
import { STORAGE_RULES } from './storage';
import { TemplateView } from './template';
import { WEBSERVER_RULES } from './webserver';

/** Every rule, in the order they run and are reported. */
export const MWAA_RULES: MwaaRuleSpec[] = [
  ...NETWORK_RULES,
  ...EXECUTION_ROLE_RULES,
  ...STORAGE_RULES,
  ...LOGGING_RULES,
  ...CONFIGURATION_RULES,
  ...REQUIREMENTS_RULES,
  ...WEBSERVER_RULES,
];

/**
 * Options of the MWAA checks.
 */
export interface MwaaChecksProps {
  /**
   * Rule ids to leave out everywhere, for example `['MWAA-Webserver-Public']`. Prefer acknowledging
   * a rule on one environment with `Validations.of(environment).acknowledge()`.
   *
   * @default - every rule runs
   */
  readonly skipRules?: string[];
}

/**
 * Synth-time checks for every Amazon MWAA environment in an app, the ones of this library and plain
 * `CfnEnvironment` ones alike: what AWS support's `verify_env` script checks on a live environment,
 * as far as a template can tell.
 *
 * Register it with `Validations.of(app).addPlugins(new MwaaChecks())`. Each finding names its rule
 * id, the environment and how to fix it. Acknowledge a rule on one environment (or any construct
 * above it) with `Validations.of(environment).acknowledge({ id: 'MWAA-Webserver-Public', reason })`.
 *
 * A problem `PrivateMwaaEnvironment` reports itself as a warning (a public web server, a missing
 * constraints file, lazily loaded plugins, reduced logging) is not reported again by the rule for
 * that environment, so it has one id and one way to acknowledge it: the warning's.
 *
 * @see https://github.com/awslabs/aws-support-tools/tree/master/MWAA
 */
export class MwaaChecks implements IPolicyValidationPlugin {
  /** Every rule id, in the order the rules run. */
  public static readonly RULE_IDS: string[] = MWAA_RULES.map(r => r.id);

  /** The name of the plugin in validation reports. */
  public readonly name = 'cdk-private-mwaa-MwaaChecks';
  /** The rule ids this plugin reports. */
  public readonly ruleIds?: string[];

  private readonly skip: Set<string>;

  constructor(props: MwaaChecksProps = {}) {
    for (const id of props.skipRules ?? []) {
      if (!MwaaChecks.RULE_IDS.includes(id)) {
        throw new Error(`\`skipRules\` must name rules of MwaaChecks (${MwaaChecks.RULE_IDS.join(', ')}), got: ${id}`);
      }
    }
    this.skip = new Set(props.skipRules ?? []);
    this.ruleIds = MwaaChecks.RULE_IDS.filter(id => !this.skip.has(id));
  }

  /**
   * Check every template of the app. Called by CDK during synthesis.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const constructs = indexConstructs(context.appConstruct);
    const violations: PolicyViolation[] = [];
    for (const templatePath of context.templatePaths) {
      const template = new TemplateView(templatePath, JSON.parse(fs.readFileSync(templatePath, 'utf-8')));
      for (const [logicalId, resource] of template.ofType('AWS::MWAA::Environment')) {
        const construct = constructs.get(`${path.basename(templatePath)}#${logicalId}`);
        for (const rule of MWAA_RULES) {
          // A problem PrivateMwaaEnvironment has reported as its own warning is not reported twice.
          if (this.skip.has(rule.id) || (construct && (isAcknowledged(construct, rule.id) || reportedByOwner(construct, rule.id)))) {
            continue;
          }
          const problems = rule.check({ template, logicalId, props: resource.Properties ?? {} });
          if (problems.length > 0) {
            violations.push({
              ruleName: rule.id,
              description: rule.description,
              severity: rule.severity,
              fix: problems.join(' '),
              violatingResources: [{ resourceLogicalId: logicalId, constructPath: construct?.node.path, templatePath, locations: [rule.location] }],
            });
          }
        }
      }
    }
    // Warning-level findings are reported without failing synthesis; errors fail it.
    return { success: violations.every(v => v.severity === 'warning'), violations };
  }
}

/** Every CloudFormation resource of the app, by template file name and logical id. */
function indexConstructs(root: IConstruct): Map<string, IConstruct> {
  const index = new Map<string, IConstruct>();
  for (const construct of root.node.findAll()) {
    if (CfnResource.isCfnResource(construct)) {
      const stack = Stack.of(construct);
      index.set(`${stack.templateFile}#${stack.resolve(construct.logicalId)}`, construct);
    }
  }
  return index;
}

/** Whether the rule is acknowledged on the construct or any construct above it. */
function isAcknowledged(construct: IConstruct, ruleId: string): boolean {
  for (let current: IConstruct | undefined = construct; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        && Object.keys(entry.data ?? {}).some(id => id.replace(/^annotation::/i, '') === ruleId)) {
        return true;
      }
    }
  }
  return false;
}
