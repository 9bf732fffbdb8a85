import { LAZY_LOAD_PLUGINS_OPTION, WORKER_CONCURRENCY_OPTION } from '../private/mwaa';
import { MwaaWarnings } from '../warnings';
import { isUnknown, MwaaRuleSpec, SharedCheck } from './rule';

/**
 * The Airflow configuration rules.
 *
 * - `celery.worker_concurrency` is an error: MWAA overrides it, and AWS support's `verify_env`
 *   treats it as one. `PrivateMwaaEnvironment` rejects it outright, so it is never reported twice.
 * - `core.lazy_load_plugins` with plugins is a warning on both paths (AWS says it should be False,
 *   not that it must): `PrivateMwaaEnvironment`'s `cdk-private-mwaa:lazyLoadPlugins`, and
 *   this rule for every other environment.
 *
 * @see https://docs.aws.amazon.com/mwaa/latest/userguide/configuring-dag-import-plugins.html
 */
export const LAZY_LOAD_PLUGINS: SharedCheck = { ruleId: 'MWAA-Config-LazyLoadPlugins', warningId: MwaaWarnings.LAZY_LOAD_PLUGINS };

/** Whether the Airflow configuration options set the worker concurrency MWAA manages. */
export function setsWorkerConcurrency(options: { [key: string]: unknown }): boolean {
  return options[WORKER_CONCURRENCY_OPTION] !== undefined;
}

/**
 * Whether plugins are used without `core.lazy_load_plugins` set to False, so that changed plugins
 * may not be loaded. A value known only at deployment is not judged.
 */
export function lazyLoadsPlugins(pluginsUsed: boolean, options: { [key: string]: unknown }): boolean {
  const value = options[LAZY_LOAD_PLUGINS_OPTION];
  if (!pluginsUsed || isUnknown(value)) {
    return false;
  }
  return !(typeof value === 'string' && value.toLowerCase() === 'false');
}

/** The environment's Airflow configuration options. */
export const CONFIGURATION_RULES: MwaaRuleSpec[] = [
  {
    id: 'MWAA-Config-WorkerConcurrency',
    description: `${WORKER_CONCURRENCY_OPTION} is not set (MWAA sets it).`,
    severity: 'error',
    location: 'Properties.AirflowConfigurationOptions',
    check: env => (setsWorkerConcurrency(env.props.AirflowConfigurationOptions ?? {})
      ? [`${WORKER_CONCURRENCY_OPTION} is set; MWAA overrides it. Remove it and use celery.worker_autoscale.`] : []),
  },
  {
    id: LAZY_LOAD_PLUGINS.ruleId,
    description: `With plugins, ${LAZY_LOAD_PLUGINS_OPTION} is False.`,
    severity: 'warning',
    location: 'Properties.AirflowConfigurationOptions',
    check: env => (lazyLoadsPlugins(env.props.PluginsS3Path !== undefined, env.props.AirflowConfigurationOptions ?? {})
      ? [`Plugins are used but ${LAZY_LOAD_PLUGINS_OPTION} is not False, so changed plugins may not load. Set it to False.`] : []),
  },
];
