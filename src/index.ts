// The public API. Feature files hold their behaviour too; only what is listed here is exported.
export { PrivateMwaaEnvironment } from './environment';
export type { IPrivateMwaaEnvironment } from './environment';
export { WebserverAccessMode, EndpointManagement, WorkerReplacementStrategy, LogLevel, SelfReferencingIngress } from './environment-props';
export type { PrivateMwaaEnvironmentProps, PrivateMwaaEnvironmentAttributes, LoggingConfiguration, ModuleLoggingConfiguration } from './environment-props';
export * from './versions';
export { AccessProfile, AirflowRole } from './access';
export type { AccessAssignment, PeopleAccessOptions } from './access';
export { EnvironmentStatus } from './notifications';
export type { NotificationOptions } from './notifications';
export { AirflowComponent } from './monitoring';
export type { EnvironmentDashboardOptions, RecommendedAlarmsOptions } from './monitoring';
export type { SecretsManagerBackendOptions } from './secrets-backend';
export * from './vpc-endpoints';
export * from './network-acl';
export { MwaaChecks } from './checks/plugin';
export type { MwaaChecksProps } from './checks/plugin';
export * from './shared-vpc';
export * from './warnings';
