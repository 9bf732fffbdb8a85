import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MwaaChecks, PrivateMwaaEnvironment, WebserverAccessMode } from '../src';

/** The MWAA-Webserver-Public finding, as the synthesis report shows it. */
test('the MWAA-Webserver-Public finding\'s description states the problem, not the compliant state', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'public-rule-')) });
  const stack = new Stack(app, 'Public', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  new PrivateMwaaEnvironment(stack, 'Airflow', { environmentName: 'public-env', vpc, webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY });
  Validations.of(app).addPlugins(new MwaaChecks());
  const output = [jest.spyOn(console, 'error').mockImplementation(() => undefined), jest.spyOn(console, 'log').mockImplementation(() => undefined)];
  try {
    app.synth();
  } finally {
    output.forEach(spy => spy.mockRestore());
  }
  const reportFile = ['validation-report.json', 'policy-validation-report.json'].map(f => path.join(app.outdir, f)).find(f => fs.existsSync(f));
  const report = JSON.parse(fs.readFileSync(reportFile!, 'utf-8'));
  const violations = report.pluginReports.flatMap((r: any) => r.violations).filter((v: any) => v.ruleName === 'MWAA-Webserver-Public');
  expect(violations.map((v: any) => v.description)).toEqual(['The web server is public: it can be reached from the internet.']);
});
