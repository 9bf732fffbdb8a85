import { WebserverAccessMode } from '../environment-settings';
import { MwaaWarnings } from '../warnings';
import { isUnknown, MwaaRuleSpec, SharedCheck } from './rule';

/**
 * The web server rule. A public web server is legal and sometimes intended, so it is a warning on
 * both paths: `PrivateMwaaEnvironment`'s `cdk-private-mwaa:publicWebserver`, and this rule for
 * every other environment.
 */
export const PUBLIC_WEBSERVER: SharedCheck = { ruleId: 'MWAA-Webserver-Public', warningId: MwaaWarnings.PUBLIC_WEBSERVER };

/**
 * Whether the web server can be reached from the internet: any known mode but PRIVATE_ONLY
 * (PUBLIC_ONLY and PUBLIC_AND_PRIVATE). Unset means PRIVATE_ONLY.
 */
export function isPublicWebserver(mode: unknown): boolean {
  return typeof mode === 'string' && !isUnknown(mode) && mode !== WebserverAccessMode.PRIVATE_ONLY;
}

/** The web server's access mode. */
export const WEBSERVER_RULES: MwaaRuleSpec[] = [
  {
    id: PUBLIC_WEBSERVER.ruleId,
    description: 'The web server is public: it can be reached from the internet.',
    severity: 'warning',
    location: 'Properties.WebserverAccessMode',
    check: env => (isPublicWebserver(env.props.WebserverAccessMode)
      ? [`The web server is reachable from the internet (${env.props.WebserverAccessMode}). Use PRIVATE_ONLY, or acknowledge this rule on the environment.`] : []),
  },
];
