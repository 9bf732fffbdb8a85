/* eslint-disable no-console */
import { CfnElement } from 'aws-cdk-lib';
import { buildExampleApp } from './app';

// Synthesize the example app to cdk.out/ and print what it built: the default stack (private
// subnets with a NAT gateway) and the variant without internet access (isolated subnets and VPC
// endpoints), the IAM Identity Center stack and the front door stack.
const { app, stack, isolatedStack, identityStack, frontDoorStack } = buildExampleApp('cdk.out');
const assembly = app.synth();

let problems = 0;
for (const example of [stack, isolatedStack, frontDoorStack]) {
  const artifact = assembly.getStackByName(example.stackName);
  const resources: Record<string, { Type: string; Properties?: any }> = artifact.template.Resources ?? {};

  const byType = new Map<string, number>();
  for (const resource of Object.values(resources)) {
    byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);
  }

  console.log(`Synthesized stack ${example.stackName} to ${assembly.directory}/${artifact.templateFile}`);
  console.log(`\nResources (${Object.keys(resources).length}):`);
  for (const [type, count] of [...byType.entries()].sort()) {
    console.log(`  ${String(count).padStart(3)}  ${type}`);
  }

  const env = Object.values(resources).find(r => r.Type === 'AWS::MWAA::Environment');
  if (env?.Properties) {
    const p = env.Properties;
    const logs = Object.entries(p.LoggingConfiguration ?? {})
      .map(([type, c]: [string, any]) => `${type.replace(/Logs$/, '')}=${c.Enabled ? c.LogLevel : 'off'}`)
      .join(', ');
    const endpoints = example.airflow.vpcEndpoints;
    console.log('\nEnvironment:');
    console.log(`  name                 ${p.Name}`);
    console.log(`  Airflow version      ${p.AirflowVersion}`);
    console.log(`  environment class    ${p.EnvironmentClass}`);
    console.log(`  workers              ${p.MinWorkers}-${p.MaxWorkers}`);
    console.log(`  schedulers           ${p.Schedulers}`);
    console.log(`  web servers          ${p.MinWebservers}-${p.MaxWebservers}`);
    console.log(`  web server access    ${p.WebserverAccessMode}`);
    console.log(`  endpoint management  ${p.EndpointManagement}`);
    console.log(`  DAGs folder          ${p.DagS3Path}`);
    console.log(`  KMS key              ${p.KmsKey ? 'customer managed' : 'AWS owned'}`);
    console.log(`  logs                 ${logs}`);
    console.log(`  VPC endpoints        ${endpoints
      ? `S3 gateway + ${endpoints.interfaceEndpointCount} interface x ${endpoints.subnetCount} AZs = ${endpoints.interfaceEndpointCount * endpoints.subnetCount} endpoint network interfaces`
      : 'none (egress through the NAT gateway)'}`);
    console.log(`  network ACL          ${example.airflow.networkAcl ? 'least privilege' : 'the VPC default'}`);
  }

  const warnings = artifact.messages.filter(m => m.level === 'warning' || m.level === 'error');
  problems += warnings.length;
  console.log(`\nWarnings and errors: ${warnings.length}`);
  for (const m of warnings) {
    console.log(`  [${m.level}] ${m.id}: ${m.entry.data}`);
  }
  console.log('');
}

// The IAM Identity Center stack: its permission sets and their assignments.
const identityArtifact = assembly.getStackByName(identityStack.stackName);
const identityResources: Record<string, { Type: string; Properties?: any }> = identityArtifact.template.Resources ?? {};
console.log(`Synthesized stack ${identityStack.stackName} (IAM Identity Center account) to ${assembly.directory}/${identityArtifact.templateFile}`);
console.log('\nPermission sets:');
for (const set of [identityStack.developers, identityStack.administrators]) {
  const logicalId = identityStack.getLogicalId(set.node.defaultChild as CfnElement);
  const resource = identityResources[logicalId];
  const policy = JSON.stringify(resource.Properties.InlinePolicy);
  const assignments = Object.values(identityResources)
    .filter(r => r.Type === 'AWS::SSO::Assignment' && JSON.stringify(r.Properties.PermissionSetArn).includes(logicalId)).length;
  console.log(`  ${String(resource.Properties.Name).padEnd(22)} ${set.profile.padEnd(14)} session ${resource.Properties.SessionDuration ?? 'PT1H'}, `
    + `inline policy ${Buffer.byteLength(policy)}/32768 bytes, ${assignments} assignment(s), `
    + `${/Fn::|"Ref"/.test(policy) ? 'HAS deploy-time values' : 'literal ARNs only'}`);
}
const identityWarnings = identityArtifact.messages.filter(m => m.level === 'warning' || m.level === 'error');
problems += identityWarnings.length;
console.log(`\nWarnings and errors: ${identityWarnings.length}`);
for (const m of identityWarnings) {
  console.log(`  [${m.level}] ${m.id}: ${m.entry.data}`);
}
console.log('');
console.log(`${problems === 0 ? 'OK' : 'Problems'}: 4 stacks synthesized, ${problems} warning(s) or error(s).`);
