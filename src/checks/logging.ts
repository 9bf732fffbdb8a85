import { LOG_TYPES, LogType, VERBOSE_LOG_LEVELS } from '../private/mwaa';
import { MwaaWarnings } from '../warnings';
import { isUnknown, MwaaRuleSpec, SharedCheck } from './rule';

/**
 * The logging rule. Turning a log type off or down is legal (AWS recommends INFO, it does not
 * require it), so it is a warning on both paths: `PrivateMwaaEnvironment`'s
 * `cdk-private-mwaa:reducedLogging`, and this rule for every other environment.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/monitoring-airflow.html
 */
export const REDUCED_LOGGING: SharedCheck = { ruleId: 'MWAA-Logging-Info', warningId: MwaaWarnings.REDUCED_LOGGING };

/** How one log type is configured, as CloudFormation gets it. */
export interface LogTypeSetting {
  readonly enabled?: unknown;
  readonly level?: unknown;
}

/**
 * The log types that are off or quieter than INFO. Values known only at deployment are not judged.
 *
 * @param setting how each log type is configured, in the form CloudFormation gets it
 */
export function quietLogTypes(setting: (type: LogType) => LogTypeSetting | undefined): LogType[] {
  return LOG_TYPES.filter(type => {
    const { enabled, level } = setting(type) ?? {};
    const off = !isUnknown(enabled) && enabled !== true;
    const quiet = !isUnknown(level) && !VERBOSE_LOG_LEVELS.includes(level as string);
    return off || quiet;
  });
}

/** The environment's logging configuration. */
export const LOGGING_RULES: MwaaRuleSpec[] = [
  {
    id: REDUCED_LOGGING.ruleId,
    description: 'Every log type is enabled at INFO or more verbose.',
    severity: 'warning',
    location: 'Properties.LoggingConfiguration',
    check: env => {
      const logging = env.props.LoggingConfiguration ?? {};
      return quietLogTypes(type => ({ enabled: logging[type.cfn]?.Enabled, level: logging[type.cfn]?.LogLevel }))
        .map(type => `${type.cfn} is ${logging[type.cfn]?.Enabled === true ? `at ${logging[type.cfn]?.LogLevel}` : 'not enabled'}. Enable it at INFO.`);
    },
  },
];
