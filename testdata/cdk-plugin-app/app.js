// A CDK app with sandtrap-cdk as its policy validation plugin, synthesized by
// scripts/test-npm.sh with `node app.js OUTDIR MODE OPTIONS`: MODE `beta1` registers the plugin
// with `new App({ policyValidationBeta1 })`, `stable` with `Validations.of(app).addPlugins`;
// OPTIONS is the JSON of the SandtrapValidator options. One pool in us-west-2 with self sign-up
// mails through SES in us-west-2 (its identity declared in a stack of its own, deployed first):
// ST101 when that region is in the sandbox, clean once production access is declared.
'use strict';

const { App, Stack, Validations } = require('aws-cdk-lib');
const cognito = require('aws-cdk-lib/aws-cognito');
const ses = require('aws-cdk-lib/aws-ses');
const { SandtrapValidator } = require('sandtrap-cdk');

const [outdir, mode, options] = process.argv.slice(2);
const plugin = new SandtrapValidator(JSON.parse(options));
const app = mode === 'beta1' ? new App({ outdir, policyValidationBeta1: [plugin] }) : new App({ outdir });
if (mode === 'stable') Validations.of(app).addPlugins(plugin);

const env = { account: '111111111111', region: 'us-west-2' };
const mail = new Stack(app, 'Mail', { env });
new ses.EmailIdentity(mail, 'Domain', { identity: ses.Identity.domain('example.com') });
const auth = new Stack(app, 'Auth', { env });
auth.addDependency(mail);
new cognito.UserPool(auth, 'Pool', {
  selfSignUpEnabled: true,
  signInAliases: { email: true },
  email: cognito.UserPoolEmail.withSES({
    fromEmail: 'noreply@example.com',
    sesRegion: 'us-west-2',
    sesVerifiedDomain: 'example.com',
  }),
});
app.synth();
