import * as fs from 'fs';
import * as path from 'path';
import {
  CfnResource,
  IAspect,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
  Stack,
  Stage,
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
 * above it) with `Validations.of(environment).acknowledge(acknowledgment)`, an `Acknowledgment` whose `id`
 * is the rule id, for example `MWAA-Webserver-Public`.
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
    this.skip = skipped(props);
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
      for (const finding of findings(template, this.skip, logicalId => constructs.get(`${path.basename(templatePath)}#${logicalId}`))) {
        const { rule, logicalId, construct, problems } = finding;
        violations.push({
          ruleName: rule.id,
          description: rule.description,
          severity: rule.severity,
          fix: problems.join(' '),
          violatingResources: [{ resourceLogicalId: logicalId, constructPath: construct?.node.path, templatePath, locations: [rule.location] }],
        });
      }
    }
    // Warning-level findings are reported without failing synthesis; errors fail it.
    return { success: violations.every(v => v.severity === 'warning'), violations };
  }
}

/**
 * The same checks as `MwaaChecks`, reported as annotations on each environment resource instead of
 * by a policy validation plugin: errors as error annotations, which the CDK CLI refuses in every
 * language (`cdk synth` and `cdk deploy` fail), warnings as acknowledgeable warnings.
 *
 * A policy validation plugin fails synthesis by setting the exit code of the Node.js process, so
 * from Python, Java, .NET and Go `app.synth()` returns and the app exits 0. Use this aspect there
 * (or everywhere): `Aspects.of(app).add(new MwaaChecksAspect())`.
 *
 * Acknowledge a rule on one environment (or any construct above it) as for the plugin, with
 * `Validations.of(environment).acknowledge(acknowledgment)`, errors included.
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.Annotations.html#adderrormessage
 */
export class MwaaChecksAspect implements IAspect {
  private readonly skip: Set<string>;
  private readonly checked = new WeakSet<Stack>();
  private readonly reported = new WeakSet<Stack>();

  /**
   * @param props the same options as `MwaaChecks`
   */
  constructor(props: MwaaChecksProps = {}) {
    this.skip = skipped(props);
  }

  /**
   * Arrange for the checks of a stack to run when it is validated. Called by CDK for every construct.
   */
  public visit(node: IConstruct): void {
    if (!Stack.isStack(node) || this.checked.has(node)) {
      return;
    }
    this.checked.add(node);
    const stack = node;
    // The template is read when the stack is validated, after every aspect and the preparation of
    // the app (cross-stack references), so the rules see what will be synthesized; annotations added
    // then still reach the cloud assembly, which is written afterwards.
    stack.node.addValidation({
      validate: () => {
        // Once per stack, also when the app is synthesized again (tests do).
        if (!this.reported.has(stack)) {
          this.reported.add(stack);
          reportAsAnnotations(stack, this.skip);
        }
        return [];
      },
    });
  }
}

/** One rule's problems with one environment of one template. */
interface Finding {
  readonly rule: MwaaRuleSpec;
  readonly logicalId: string;
  readonly construct?: IConstruct;
  readonly problems: string[];
}

/**
 * The findings of every rule for every environment of one template: the one rule loop behind both
 * reporters. A rule acknowledged on the environment, or reported already by the construct that owns
 * it as its own warning, is left out.
 */
function findings(template: TemplateView, skip: Set<string>, constructOf: (logicalId: string) => IConstruct | undefined): Finding[] {
  const found: Finding[] = [];
  for (const [logicalId, resource] of template.ofType('AWS::MWAA::Environment')) {
    const construct = constructOf(logicalId);
    for (const rule of MWAA_RULES) {
      // A problem PrivateMwaaEnvironment has reported as its own warning is not reported twice.
      if (skip.has(rule.id) || (construct && (isAcknowledged(construct, rule.id) || reportedByOwner(construct, rule.id)))) {
        continue;
      }
      const problems = rule.check({ template, logicalId, props: resource.Properties ?? {} });
      if (problems.length > 0) {
        found.push({ rule, logicalId, construct, problems });
      }
    }
  }
  return found;
}

/** The aspect's reporter: each finding as an error or warning annotation on the environment resource. */
function reportAsAnnotations(stack: Stack, skip: Set<string>): void {
  // Stack._toCloudFormation() is the template the stack synthesizes (internal to aws-cdk-lib; the
  // tests compare this reporter's findings with the plugin's on the written templates).
  const template = new TemplateView(path.join(Stage.of(stack)?.outdir ?? '.', stack.templateFile), (stack as any)._toCloudFormation());
  const resources = new Map<string, IConstruct>();
  for (const construct of stack.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && Stack.of(construct) === stack) {
      resources.set(stack.resolve(construct.logicalId), construct);
    }
  }
  for (const { rule, construct, problems } of findings(template, skip, id => resources.get(id))) {
    const message = `[${rule.id}] ${problems.join(' ')} (rule: ${rule.description})`;
    const validations = Validations.of(construct ?? stack);
    if (rule.severity === 'error') {
      validations.addError(rule.id, message);
    } else {
      validations.addWarning(rule.id, message);
    }
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

/** The rules `skipRules` leaves out, each checked to be a rule. */
function skipped(props: MwaaChecksProps): Set<string> {
  const ids = MWAA_RULES.map(r => r.id);
  for (const id of props.skipRules ?? []) {
    if (!ids.includes(id)) {
      throw new Error(`\`skipRules\` must name rules of MwaaChecks (${ids.join(', ')}), got: ${id}`);
    }
  }
  return new Set(props.skipRules ?? []);
}
