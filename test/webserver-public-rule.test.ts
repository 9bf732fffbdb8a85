import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import { MwaaChecks, WebserverAccessMode } from '../src';

/** The MWAA-Webserver-Public finding, as the synthesis report shows it. */
test('the MWAA-Webserver-Public finding\'s description states the problem, not the compliant state', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'public-rule-')) });
  const stack = new Stack(app, 'Public', { env: { account: '111111111111', region: 'eu-west-1' } });
  // A plain CfnEnvironment: for a PrivateMwaaEnvironment the construct's own warning reports it instead.
  new mwaa.CfnEnvironment(stack, 'Airflow', { name: 'public-env', webserverAccessMode: WebserverAccessMode.PUBLIC_ONLY });
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
