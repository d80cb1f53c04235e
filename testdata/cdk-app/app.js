// A CDK app whose cloud assembly exercises every way sandtrap reads CDK output: stacks with an
// explicit environment, a Stage (nested cloud assembly) and a NestedStack (`*.nested.template.json`
// inheriting its parent's environment). scripts/test-cdk.sh synthesizes it with `node app.js OUTDIR`
// (no CDK CLI) and checks the diagnostics sandtrap reports on it.
'use strict';

const { App, Stack, Stage, NestedStack } = require('aws-cdk-lib');
const cognito = require('aws-cdk-lib/aws-cognito');
const ses = require('aws-cdk-lib/aws-ses');

const ACCOUNT = '111111111111';
const outdir = process.argv[2] || 'cdk.out';

const app = new App({ outdir });

// The SES domain identity, verified in us-east-1 only.
const identityStack = new Stack(app, 'SesIdentity', { env: { account: ACCOUNT, region: 'us-east-1' } });
new ses.EmailIdentity(identityStack, 'Domain', { identity: ses.Identity.domain('example.com') });

// A London pool that sends through the legacy us-east-1 SES region (allowed for eu-west-2, ST102
// info) with self sign-up and email sign-in: with us-east-1 in the sandbox every sign-up mail to an
// unverified address fails (ST101 error).
const poolStack = new Stack(app, 'Auth', { env: { account: ACCOUNT, region: 'eu-west-2' } });
new cognito.UserPool(poolStack, 'PublicPool', {
  selfSignUpEnabled: true,
  signInAliases: { email: true },
  email: cognito.UserPoolEmail.withSES({
    fromEmail: 'noreply@example.com',
    sesRegion: 'us-east-1',
    sesVerifiedDomain: 'example.com',
  }),
});

// A nested stack (same account and region as its parent) whose admin-only pool names SES in
// us-west-1: not a region a eu-west-2 pool may use (ST203), and example.com is verified only in
// us-east-1 (ST205).
const nested = new NestedStack(poolStack, 'Partners');
new cognito.UserPool(nested, 'PartnerPool', {
  selfSignUpEnabled: false,
  email: cognito.UserPoolEmail.withSES({
    fromEmail: 'partners@example.com',
    sesRegion: 'us-west-1',
    sesVerifiedDomain: 'example.com',
  }),
});

// A stage (nested cloud assembly) in Paris with an admin-only pool mailing through SES in its own
// region, whose identity no stack declares (ST207 info).
const staging = new Stage(app, 'Staging', { env: { account: ACCOUNT, region: 'eu-west-3' } });
const stagingAuth = new Stack(staging, 'Auth');
new cognito.UserPool(stagingAuth, 'StaffPool', {
  email: cognito.UserPoolEmail.withSES({
    fromEmail: 'staff@staging.example.com',
    sesVerifiedDomain: 'staging.example.com',
  }),
});

app.synth();
